import { chmod, copyFile, constants } from 'node:fs/promises';
import type { MigrationState } from './schema.js';
import { emptyState, StateStore } from './store.js';

/**
 * What a new migration inherits from the one it replaces: what the state knows of the user's own
 * files, which starting over does not change. The .env as it was before the first step 4 (only
 * rollback's way back to Chroma Cloud: a later step 4's backup holds the self-hosted settings),
 * and the tokens step 2 put in a .env (a proxy may hold them already). Everything else is the
 * old migration's progress, or what its steps chose (backup, target, local server, ingestion
 * command), and starts again: the archived file still has it.
 */
function carriedOver(old: MigrationState): Pick<MigrationState, 'envOrigins' | 'deployTokens'> {
  return { envOrigins: old.envOrigins, deployTokens: old.deployTokens };
}

/**
 * Starts the migration over: a copy of the state file is kept as `<path>.<time>.bak`, then the
 * file is replaced, in one atomic write, by a fresh state with carriedOver. Killed at any point,
 * the file holds the old state or the new one, never a state that forgot the .env's origin.
 * Returns the copy's path, or null when there was no state yet.
 */
export async function startOverState(path: string, now = new Date()): Promise<string | null> {
  const archive = await keepCopy(path, `${path}.${now.toISOString().replace(/[:.]/g, '-')}`);
  const store = await StateStore.open(path);
  await store.update((old) => ({ ...emptyState(now), ...carriedOver(old) }));
  return archive;
}

/** Copies the file to `<stem>.bak` (owner-only, never over another copy: -1, -2… then); null when there is no file. */
async function keepCopy(path: string, stem: string): Promise<string | null> {
  for (let attempt = 0; ; attempt++) {
    const archive = `${stem}${attempt > 0 ? `-${attempt}` : ''}.bak`;
    try {
      await copyFile(path, archive, constants.COPYFILE_EXCL);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code === 'EEXIST' && attempt < 100) continue;
      throw error;
    }
    await chmod(archive, 0o600);
    return archive;
  }
}
