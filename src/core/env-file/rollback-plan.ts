import { readFile } from 'node:fs/promises';
import { parse } from 'dotenv';
import { SELF_HOSTED_KEYS } from './chroma-keys.js';
import { planEnvPatch, type PatchResult } from './patch.js';

/** Where the values a rollback gives back come from. */
export type RollbackSource =
  /** The backup the migration's first `env set` kept: its values for the self-hosted keys. */
  | { kind: 'backup'; backup: string }
  /** The first `env set` created the file: none of the keys were there before. */
  | { kind: 'created' }
  /** No record of the file before the migration: the keys are removed, and the user must check. */
  | { kind: 'unknown'; why: string };

export interface RollbackPlan {
  source: RollbackSource;
  patch: PatchResult;
}

/**
 * Step 4 undone: each self-hosted key gets the value it had before the migration's first `env set`
 * (an app reading CHROMA_HOST would otherwise fall back to its own default, not to what it used),
 * and keys that were not there go (or become comments). `origin` is the state's record of that
 * first write; undefined when there is none.
 */
export async function planRollback(text: string, origin: { backup: string | null } | undefined, comment: boolean): Promise<RollbackPlan> {
  const { source, before } = await valuesBefore(origin);
  const set: Record<string, string> = {};
  const gone: string[] = [];
  for (const key of SELF_HOSTED_KEYS) {
    const value = before[key];
    if (value === undefined) gone.push(key);
    else set[key] = value;
  }
  return { source, patch: planEnvPatch(text, comment ? { set, comment: gone } : { set, remove: gone }) };
}

async function valuesBefore(origin: { backup: string | null } | undefined): Promise<{ source: RollbackSource; before: Record<string, string> }> {
  if (origin === undefined) return { source: { kind: 'unknown', why: 'the migration state has no record of this file before its first env set' }, before: {} };
  const { backup } = origin;
  if (backup === null) return { source: { kind: 'created' }, before: {} };
  return readFile(backup).then(
    (bytes) => ({ source: { kind: 'backup', backup }, before: parse(bytes) }),
    () => ({ source: { kind: 'unknown', why: `the backup kept before the migration's first env set, ${backup}, cannot be read` }, before: {} }),
  );
}
