/**
 * A local server the wizard leaves running outlives the process that started it. Its pid is kept
 * in its data folder (DIR/chroma-server.pid) so that `serve --stop --path DIR` can find and stop
 * it later, without the user copying a process number.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { processAlive } from '../util/file-lock.js';

const execFileAsync = promisify(execFile);

const PID_FILE = 'chroma-server.pid';

export function pidFileOf(dataPath: string): string {
  return join(dataPath, PID_FILE);
}

/** Written atomically once the server answers; it names the data folder it serves. */
export async function writePidFile(dataPath: string, pid: number): Promise<void> {
  const file = pidFileOf(dataPath);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${pid}\n`);
  await rename(temporary, file).catch(async (error: unknown) => {
    await rm(temporary, { force: true });
    throw error;
  });
}

/** Removed when that server has exited, unless another server has written its own since. */
export async function removePidFile(dataPath: string, pid: number): Promise<void> {
  if ((await readPid(dataPath)) === pid) await rm(pidFileOf(dataPath), { force: true });
}

async function readPid(dataPath: string): Promise<number | null> {
  const text = await readFile(pidFileOf(dataPath), 'utf8').catch(() => null);
  const pid = text === null ? Number.NaN : Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export type StopOutcome =
  | { kind: 'stopped'; pid: number }
  /** No pid file: nothing of ours runs there. */
  | { kind: 'none' }
  /** The pid file named a process that has gone, or that is not this folder's server (the file is removed). */
  | { kind: 'stale'; pid: number }
  /** A process runs under that pid, but whether it is this folder's server could not be told: left alone. */
  | { kind: 'unchecked'; pid: number }
  /** This folder's server runs as another user: only that user (or root) can stop it. */
  | { kind: 'not-yours'; pid: number };

/**
 * SIGINT (as the server expects; see stopProcess in chroma-server.ts), then waits for it to exit;
 * SIGKILL only after `timeoutMs`. A pid the system reused for another program is never signalled:
 * the process must be running `… run --path DIR` (its command line, from /proc or `ps`), and when
 * that cannot be read, nothing is signalled.
 */
export async function stopServerAt(folder: string, options: { timeoutMs?: number } = {}): Promise<StopOutcome> {
  const dataPath = resolve(folder);
  const pid = await readPid(dataPath);
  if (pid === null) return { kind: 'none' };
  const outcome = await stopServing(pid, dataPath, options);
  if (outcome.kind === 'stale' || outcome.kind === 'stopped') await removePidFile(dataPath, pid);
  return outcome;
}

/**
 * Stops process `pid` if it is the Chroma server of `dataPath` (its command line says so), as
 * stopServerAt does; also one whose folder has gone, found by serverProcesses.
 */
export async function stopServing(pid: number, dataPath: string, options: { timeoutMs?: number } = {}): Promise<Exclude<StopOutcome, { kind: 'none' }>> {
  const serves = processAlive(pid) ? await servesFolder(pid, dataPath) : 'no';
  if (serves === 'unknown') return { kind: 'unchecked', pid };
  if (serves === 'no') return { kind: 'stale', pid };
  const sent = signal(pid, 'SIGINT');
  if (sent === 'EPERM') return { kind: 'not-yours', pid };
  if (sent === 'ESRCH') return { kind: 'stale', pid };
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (processAlive(pid) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 100));
  if (processAlive(pid)) {
    signal(pid, 'SIGKILL');
    // Gone for good before we return: its port is free for the next server.
    for (let tries = 0; processAlive(pid) && tries < 50; tries++) await new Promise((wait) => setTimeout(wait, 100));
  }
  return { kind: 'stopped', pid };
}

/**
 * Every Chroma server process this user may see (Linux: /proc), with the data folder on its
 * command line (`… run --path DIR`), whether or not DIR still exists. Elsewhere none: the pid
 * files are all there is.
 */
export async function serverProcesses(): Promise<Array<{ pid: number; path: string }>> {
  if (process.platform !== 'linux') return [];
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name)).map(Number);
  const found: Array<{ pid: number; path: string }> = [];
  for (const pid of pids) {
    const args = await commandLineOf(pid);
    const at = args?.indexOf('--path') ?? -1;
    if (args && at > 0 && args[at - 1] === 'run' && args[at + 1]) found.push({ pid, path: args[at + 1]! });
  }
  return found;
}

/**
 * The server that serves this folder now, if any: its pid file names a live process whose
 * command line is `… run --path DIR` for this folder. Its port comes from the same command line.
 */
export async function servedBy(folder: string): Promise<{ pid: number; port: number | null } | null> {
  const dataPath = resolve(folder);
  const pid = await readPid(dataPath);
  if (pid === null || !processAlive(pid) || (await servesFolder(pid, dataPath)) !== 'yes') return null;
  const args = (await commandLineOf(pid)) ?? [];
  const at = args.indexOf('--port');
  const port = at >= 0 ? Number(args[at + 1]) : Number.NaN;
  return { pid, port: Number.isInteger(port) ? port : null };
}

/** Sends the signal; the process may have gone since it was checked, or belong to another user. */
function signal(pid: number, name: NodeJS.Signals): 'sent' | 'ESRCH' | 'EPERM' {
  try {
    process.kill(pid, name);
    return 'sent';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return code;
    throw error;
  }
}


/** Whether the process runs `… run --path DIR` for this folder (compared as real paths: a symlink, /tmp vs /private/tmp). */
async function servesFolder(pid: number, dataPath: string): Promise<'yes' | 'no' | 'unknown'> {
  const args = await commandLineOf(pid);
  if (args === null) return 'unknown';
  const at = args.indexOf('--path');
  if (at < 0 || args[at + 1] === undefined) return 'no';
  const [theirs, ours] = await Promise.all([realpath(args[at + 1]!).catch(() => args[at + 1]!), realpath(dataPath).catch(() => dataPath)]);
  return theirs === ours ? 'yes' : 'no';
}

/** The process's arguments: /proc on Linux, `ps` elsewhere (split on spaces: a path with one is not matched, and left alone). */
async function commandLineOf(pid: number): Promise<string[] | null> {
  const proc = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  if (proc !== null) return proc.split('\0');
  if (process.platform === 'linux') return null;
  const ps = await execFileAsync('ps', ['-o', 'command=', '-p', String(pid)]).catch(() => null);
  return ps === null ? null : ps.stdout.trim().split(/\s+/);
}
