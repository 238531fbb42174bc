/**
 * One writer per file: FILE.lock, created with O_EXCL (atomic: of two runs exactly one creates
 * it), holding who took it. Two exports on one --out used to interleave their bytes into one
 * corrupt backup while one of them reported success.
 */
import { hostname } from 'node:os';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { MigrateError } from './errors.js';

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface FileLock {
  readonly path: string;
  /** The holder of a lock left behind by a process that is gone, which this one took over. */
  readonly tookOverFrom: LockHolder | null;
  release(): Promise<void>;
}

export interface LockOptions {
  /** What the holder is doing, for the message another run shows ("export"). */
  command: string;
  /** Wait up to this long for a live holder to let go (short locks: a state file's update); 0 stops at once. */
  waitMs?: number;
}

function lockPathOf(file: string): string {
  return `${file}.lock`;
}

export async function lockFile(file: string, options: LockOptions): Promise<FileLock> {
  const path = lockPathOf(file);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: options.command };
  const deadline = Date.now() + (options.waitMs ?? 0);
  let tookOverFrom: LockHolder | null = null;
  for (;;) {
    if (await create(path, me)) return held(path, tookOverFrom);
    const seen = await readHolder(path);
    if (seen === 'gone') continue;
    if (seen !== 'unreadable' && isStale(seen.holder)) {
      if (await takeOver(path, seen.text)) tookOverFrom = seen.holder;
      continue;
    }
    // Not ours, or left empty by a crash between creating and filling it: a lock being written
    // is filled within milliseconds, so one unreadable for 10 s is nobody's.
    if (seen === 'unreadable' && (await ageMs(path)) > 10_000) {
      await takeOver(path, await readFile(path, 'utf8').catch(() => ''));
      continue;
    }
    if (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
      continue;
    }
    throw inUse(file, path, seen === 'unreadable' ? null : seen.holder);
  }
}

async function create(path: string, me: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new MigrateError('IO', `Cannot create the lock file ${path}: ${(error as Error).message}.`, 'Check that the folder exists and that you can write to it.', { cause: error });
  }
  try {
    await handle.writeFile(`${JSON.stringify(me)}\n`);
  } catch (error) {
    // An empty lock would stop every later run: leave none.
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    const full = ['ENOSPC', 'EDQUOT'].includes((error as NodeJS.ErrnoException).code ?? '');
    throw new MigrateError(
      'IO',
      `Cannot write the lock file ${path}: ${full ? 'the disk is full' : (error as Error).message}.`,
      'Free some space, then run the same command again: it continues from the last state that was saved.',
      { cause: error },
    );
  }
  await handle.close();
  return true;
}

/** Who holds FILE's lock now (its pid and host), or null: none, or one not readable. */
export async function lockHolderOf(file: string): Promise<Pick<LockHolder, 'pid' | 'host'> | null> {
  const read = await readHolder(lockPathOf(file));
  return typeof read === 'string' ? null : { pid: read.holder.pid, host: read.holder.host };
}

async function readHolder(path: string): Promise<{ holder: LockHolder; text: string } | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return 'unreadable';
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    if (typeof holder.pid !== 'number' || typeof holder.host !== 'string') return 'unreadable';
    return { holder, text };
  } catch {
    // Being written this very moment (created, not yet filled), or not ours.
    return 'unreadable';
  }
}

/** Whether a process of this machine lives (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Only a holder on this machine can be known to be gone; one elsewhere may still be writing. */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Moves the stale lock aside under a name of our own (rename is atomic: of two runs taking it
 * over, one moves it), then checks it moved the stale one and not a lock just taken by another.
 */
async function takeOver(path: string, staleText: string): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}`;
  try {
    await rename(path, aside);
  } catch {
    return false;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== staleText) {
    // Another run's fresh lock: put it back where it was.
    await rename(aside, path).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

async function ageMs(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  return info === null ? 0 : Date.now() - info.mtimeMs;
}

function held(path: string, tookOverFrom: LockHolder | null): FileLock {
  let released = false;
  return {
    path,
    tookOverFrom,
    async release() {
      if (released) return;
      released = true;
      await unlink(path).catch(() => undefined);
    },
  };
}

function clock(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return 'at an unknown time';
  const sameDay = at.toDateString() === new Date().toDateString();
  const time = at.toTimeString().slice(0, 5);
  return sameDay ? time : `${at.toISOString().slice(0, 10)} ${time}`;
}

function inUse(file: string, path: string, holder: LockHolder | null): MigrateError {
  const who = holder
    ? `chroma-migrate pid ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''} (${holder.command}), started ${clock(holder.startedAt)}`
    : 'another chroma-migrate';
  return new MigrateError(
    'LOCKED',
    `${basename(file)} is in use by ${who}.`,
    `Wait for it, or remove the lock if that process is gone: rm '${path}'`,
  );
}

/** The word a run says when it took over a lock whose process had gone. */
export function describeTakeOver(file: string, holder: LockHolder): string {
  return `Took over the lock on ${basename(file)} from pid ${holder.pid} (${holder.command}, started ${clock(holder.startedAt)}), which is no longer running.`;
}
