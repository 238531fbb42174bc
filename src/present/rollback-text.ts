import type { RollbackSource } from '../core/env-file/rollback-plan.js';
import { envFileFlag } from './env-backups.js';

/** What `rollback` says it will do, by where the old values come from. */
export function rollbackTitle(path: string, source: RollbackSource): string {
  if (source.kind === 'backup') return `Rollback of ${path}: its Chroma settings go back to what they were before the migration (from ${source.backup}):`;
  if (source.kind === 'created') return `Rollback of ${path}: env set added these settings to a new file, so they go (the app will use Chroma Cloud again):`;
  return `Rollback of ${path} (the self-hosted settings go; the app falls back to Chroma Cloud or its own defaults):`;
}

/**
 * When the values from before the migration are unknown, removing the keys may not give the app
 * what it had: an app reading CHROMA_HOST then uses its own default. Said before asking and after.
 */
export function unknownOriginLines(path: string, source: RollbackSource): string[] {
  if (source.kind !== 'unknown') return [];
  return [
    `! The values these settings had before the migration are not known (${source.why}), so they are removed rather than put back.`,
    `  If the app read CHROMA_HOST, CHROMA_PORT or CHROMA_SSL before the migration, check them: chroma-migrate rollback --list${envFileFlag(path)} shows the backups of ${path}; the oldest was taken before the first change.`,
  ];
}
