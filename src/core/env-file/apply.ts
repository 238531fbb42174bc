import type { ParsedUrl } from '../chroma/url.js';
import { parse } from 'dotenv';
import { isLoopbackHost } from '../chroma/endpoint.js';
import { saveBackup } from './backups.js';
import { PLACE_KEYS, selfHostedEnv, type SelfHostedValues } from './chroma-keys.js';
import type { EnvChange } from './diff.js';
import { lockFile } from '../util/file-lock.js';
import { assertUnchanged, assertWritable, readEnvFile, writeEnvFile, writeTarget, type EnvFile } from './file.js';
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

/** Nothing to write: no setting changes, and no byte-order mark to drop. */
export function nothingToWrite(plan: Pick<EnvPlan, 'changes' | 'file'>): boolean {
  return plan.changes.length === 0 && plan.file.bom !== true;
}

/**
 * The mode of a file that holds a token: never readable by other users. A group read bit on a
 * file others could not read was set on purpose (an app running as another user of that group
 * reads it), so it stays; on a file others could read too (0644, the usual umask's), it was no
 * choice, and only the owner keeps access. Never wider than it was.
 */
function tokenMode(mode: number): number {
  return (mode & 0o007) === 0 ? mode : mode & ~0o077;
}

/**
 * Step 4's change, computed without writing: what the user is shown before saying yes. `comment`:
 * keys kept as comments. A tenant or database key the place does not need goes: an app moved back
 * to the default place must not keep reading the one it left.
 */
export async function planSelfHostedEnv(path: string, target: Pick<ParsedUrl, 'host' | 'port' | 'ssl'>, values: SelfHostedValues & { comment?: string[] } = {}): Promise<EnvPlan> {
  const file = await readEnvFile(path);
  const set = selfHostedEnv(target, values);
  const remove = PLACE_KEYS.filter((key) => set[key] === undefined);
  const plan = planEnvPatch(file.text, { set, remove, comment: values.comment ?? [] });
  return { path, file, text: plan.text, changes: plan.changes, writesToken: values.token !== undefined && values.token !== '' };
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

/** Long enough for another run's read-modify-write (milliseconds); a run waiting at a prompt holds it longer. */
const ENV_LOCK_WAIT_MS = 5_000;

/**
 * One writer per .env: a run reads, asks and writes under FILE.lock beside the file (beside a
 * link's target), so two runs at once take turns, each reading what the other wrote, instead of
 * both saying ✓ when only the last rename survives. The lock of a process that is gone (kill -9)
 * is taken over; a live holder is named when the wait runs out.
 */
export async function withEnvLock<T>(path: string, command: string, work: () => Promise<T>): Promise<T> {
  const lock = await lockFile(await writeTarget(path), { command, waitMs: ENV_LOCK_WAIT_MS }).catch(async (error: unknown) => {
    // A folder that cannot be written (or is not there) is better said in the file's words.
    await assertWritable(path);
    throw error;
  });
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/** Writes a plan; a token in it makes the file readable by its owner only. */
export async function applyEnvPlan(plan: EnvPlan): Promise<AppliedEnvPlan> {
  // A token in a world-readable file is a token anyone on the machine can use.
  const mode = plan.writesToken ? tokenMode(plan.file.mode) : plan.file.mode;
  const backup = await replaceEnvFile(plan.path, plan.file, plan.text, mode);
  return { backup, tightened: mode !== plan.file.mode ? { from: plan.file.mode, to: mode } : null };
}

/** "0644" for messages. */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/**
 * Whether the .env planned would have the app send a CHROMA_AUTH_TOKEN in clear text: plain
 * http to another machine. It covers a token already in the file as well as a new one: either
 * way the app sends it to the new address. `env set` refuses it without --insecure; the wizard asks.
 */
export function sendsTokenInClear(plan: Pick<EnvPlan, 'text'>, target: Pick<ParsedUrl, 'ssl' | 'host'>): boolean {
  return !target.ssl && !isLoopbackHost(target.host) && Boolean(parse(plan.text).CHROMA_AUTH_TOKEN);
}
