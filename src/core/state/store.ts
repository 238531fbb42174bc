import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { MigrateError } from '../util/errors.js';
import { shellWord } from '../util/format.js';
import { lockFile } from '../util/file-lock.js';
import { settleDeadSteps } from './dead-steps.js';
import { MigrationStateSchema, STATE_VERSION, type MigrationState } from './schema.js';

const DEFAULT_STATE_PATH = '.chroma-migrate/state.json';

export function statePath(explicit?: string, env: Record<string, string | undefined> = process.env): string {
  return resolve(explicit ?? env.CHROMA_MIGRATE_STATE ?? DEFAULT_STATE_PATH);
}

export function emptyState(now = new Date()): MigrationState {
  const at = now.toISOString();
  return { version: STATE_VERSION, createdAt: at, updatedAt: at, steps: {}, imports: [], exports: [], runs: [], envOrigins: [], deployTokens: [], importPlans: [] };
}

/** Missing file → a fresh state. A file that is not ours or is damaged → a clear error, never a silent reset. */
export async function loadState(path: string): Promise<MigrationState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new MigrateError('IO', `Could not read the migration state at ${path}: ${(error as Error).message}.`, 'Check the file\'s permissions.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw corrupt(path, 'it is not valid JSON');
  }
  const parsed = MigrationStateSchema.safeParse(upgraded(json));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw corrupt(path, `${issue?.path.join('.') || 'the top level'}: ${issue?.message ?? 'unexpected shape'}`);
  }
  return settleDeadSteps(parsed.data);
}

/** Versions 1 to 4 differ from 5 only by fields they lack, which default to none. */
function upgraded(json: unknown): unknown {
  const version = (json as { version?: unknown } | null)?.version;
  return version === 1 || version === 2 || version === 3 || version === 4 ? { ...(json as object), version: STATE_VERSION } : json;
}

function corrupt(path: string, why: string): MigrateError {
  return new MigrateError(
    'BAD_STATE',
    `The migration state file ${path} is damaged (${why}).`,
    `Move it aside (mv ${shellWord(path)} ${shellWord(`${path}.bad`)}) to start over; your backups and the target are not affected.`,
  );
}

/** Atomic (temp file + fsync + rename) so a crash leaves the old or the new state, never half. 0600: it is the user's. */
export async function saveState(path: string, state: MigrationState, now = new Date()): Promise<MigrationState> {
  await mkdir(dirname(path), { recursive: true });
  const next = { ...state, updatedAt: now.toISOString() };
  try {
    await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    throw cannotSave(path, error);
  }
  return next;
}

/** The old state stays as it was (the write is atomic); say why the new one could not be saved. */
function cannotSave(path: string, error: unknown): MigrateError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full' : code === 'EFBIG' ? 'a file-size limit was reached' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'the disk is read-only' : (error as Error).message;
  return new MigrateError(
    'IO',
    `Could not save the migration state at ${path}: ${why}.`,
    'Free some space (or fix the permissions), then run the same command again: it continues from the last state that was saved.',
    { cause: error },
  );
}

export async function fingerprintFile(path: string): Promise<string> {
  const info = await stat(path);
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(65_536, info.size));
    await handle.read(head, 0, head.length, 0);
    const hash = createHash('sha256').update(head).digest('hex').slice(0, 16);
    return `${info.size}:${Math.round(info.mtimeMs)}:${hash}`;
  } finally {
    await handle.close();
  }
}

/** A change waiting for the next write, and the caller waiting for it to be on disk. */
interface QueuedChange {
  change: (state: MigrationState) => MigrationState;
  resolve: (state: MigrationState) => void;
  reject: (error: unknown) => void;
}

/**
 * Serialises read-modify-write of the state file within one process: one store per path, so
 * the wizard and the engine it drives never overwrite each other's changes (an import's
 * checkpoints and the wizard's checklist live in the same file).
 */
export class StateStore {
  private static readonly open_ = new Map<string, StateStore>();
  private readonly waiting: QueuedChange[] = [];
  private writing: Promise<void> | null = null;
  private pending = 0;
  /**
   * The file as this store last read or wrote it (inode, size, mtime). Unchanged since, its
   * content is `state`: reading and validating it again before each save cost a copy of many
   * small collections more client CPU than their records did.
   */
  private seen: string | null = null;
  private constructor(readonly path: string, private state: MigrationState) {}

  static async open(path: string): Promise<StateStore> {
    const existing = StateStore.open_.get(path);
    if (existing) {
      // Idle: pick up anything written from outside since (another run, a user's edit).
      if (existing.pending === 0) existing.state = await existing.fresh();
      return existing;
    }
    const stamp = await stampOf(path);
    const store = new StateStore(path, await loadState(path));
    store.seen = stamp;
    StateStore.open_.set(path, store);
    return store;
  }

  get current(): MigrationState {
    return this.state;
  }

  /**
   * Applies `change` to the file as it is now, under its lock: another run's entries (other
   * collections, other commands) written since this one loaded are kept, never overwritten
   * by an old copy. The lock is held for one read and one write, so waiting for it is short.
   * Changes that arrive while a write is under way go to disk together in the next one (one
   * lock, one fsync): each caller still resolves only once its change is saved.
   */
  update(change: (state: MigrationState) => MigrationState): Promise<MigrationState> {
    this.pending++;
    const saved = new Promise<MigrationState>((resolve, reject) => this.waiting.push({ change, resolve, reject }));
    this.writing ??= this.drain();
    return saved.finally(() => this.pending--);
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      await this.write(batch).catch((error: unknown) => batch.forEach((queued) => queued.reject(error)));
    }
    this.writing = null;
  }

  /** One read (skipped when the file is as last seen), the batch's changes in order, one write. */
  private async write(batch: QueuedChange[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const lock = await lockFile(this.path, { command: 'saving its state', waitMs: 30_000 });
    try {
      let state = await this.fresh();
      const outcomes = batch.map((queued) => {
        try {
          state = queued.change(state);
          return { state };
        } catch (error) {
          // A change that throws may have altered what it was given: read the file next time.
          this.seen = null;
          return { error };
        }
      });
      // Every change threw: nothing to save, as before any of them.
      if (outcomes.some((outcome) => 'state' in outcome)) {
        this.seen = null; // until the write below is known to have landed
        this.state = await saveState(this.path, state);
        this.seen = await stampOf(this.path);
      }
      batch.forEach((queued, index) => {
        const outcome = outcomes[index]!;
        if ('error' in outcome) queued.reject(outcome.error);
        else queued.resolve(outcome.state);
      });
    } finally {
      await lock.release();
    }
  }

  /** The state as the file holds it now: read and validated again only when the file changed. */
  private async fresh(): Promise<MigrationState> {
    const stamp = await stampOf(this.path);
    if (stamp !== null && stamp === this.seen) return this.state;
    const state = await loadState(this.path);
    this.seen = stamp;
    return state;
  }
}

/** Identifies one version of the file: an atomic write (temp file + rename) always gives a new inode. */
async function stampOf(path: string): Promise<string | null> {
  const info = await stat(path, { bigint: true }).catch(() => null);
  return info ? `${info.ino}:${info.size}:${info.mtimeNs}` : null;
}
