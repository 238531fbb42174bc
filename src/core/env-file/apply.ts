import type { ParsedUrl } from '../chroma/url.js';
import type { TokenHeader } from '../chroma/endpoint.js';
import { saveBackup } from './backups.js';
import { selfHostedEnv } from './chroma-keys.js';
import type { EnvChange } from './diff.js';
import { assertUnchanged, assertWritable, readEnvFile, writeEnvFile, type EnvFile } from './file.js';
import { planEnvPatch } from './patch.js';

export interface EnvPlan {
  path: string;
  file: EnvFile;
  text: string;
  changes: EnvChange[];
  /** The plan writes a token into the file: it must then be readable by its owner only. */
  writesToken: boolean;
}

export interface AppliedEnvPlan {
  backup: string | null;
  /** The file's mode, when writing a token made it stricter (e.g. 0644 → 0600). */
  tightened: { from: number; to: number } | null;
}

/** Step 4's change, computed without writing: what the user is shown before saying yes. */
export async function planSelfHostedEnv(path: string, target: Pick<ParsedUrl, 'host' | 'port' | 'ssl'>, token?: string, tokenHeader?: TokenHeader): Promise<EnvPlan> {
  const file = await readEnvFile(path);
  const plan = planEnvPatch(file.text, { set: selfHostedEnv(target, token, tokenHeader) });
  return { path, file, text: plan.text, changes: plan.changes, writesToken: token !== undefined && token !== '' };
}

/**
 * Replaces the file with `data`: refuses if it changed since it was read, keeps a 0600 backup of
 * what was there, writes atomically. Every .env change (step 4, rollback, restore) goes through here.
 */
export async function replaceEnvFile(path: string, file: Omit<EnvFile, 'text'>, data: string | Buffer, mode = file.mode): Promise<string | null> {
  await assertWritable(path);
  await assertUnchanged(file);
  const backup = file.exists ? await saveBackup(path, file.bytes) : null;
  await writeEnvFile(path, data, mode);
  return backup;
}

/** Writes a plan; a token in it makes the file readable by its owner only. */
export async function applyEnvPlan(plan: EnvPlan): Promise<AppliedEnvPlan> {
  // A token in a world-readable file is a token anyone on the machine can use.
  const mode = plan.writesToken ? plan.file.mode & ~0o077 : plan.file.mode;
  const backup = await replaceEnvFile(plan.path, plan.file, plan.text, mode);
  return { backup, tightened: mode !== plan.file.mode ? { from: plan.file.mode, to: mode } : null };
}

/** "0644" for messages. */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
