/**
 * A local server the wizard leaves running outlives the process that started it. Its pid is kept
 * in its data folder (DIR/chroma-server.pid) so that `serve --stop --path DIR` can find and stop
 * it later, without the user copying a process number.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const PID_FILE = 'chroma-server.pid';

export function pidFileOf(dataPath: string): string {
  return join(dataPath, PID_FILE);
}

/** Written atomically once the server answers; it names the data folder it serves. */
export async function writePidFile(dataPath: string, pid: number): Promise<void> {
  const file = pidFileOf(dataPath);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${pid}\n`);
  await rename(temporary, file);
}

/** Removed when that server has exited, unless another server has written its own since. */
export async function removePidFile(dataPath: string, pid: number): Promise<void> {
  if ((await readPid(dataPath)) === pid) await rm(pidFileOf(dataPath), { force: true });
}

export async function readPid(dataPath: string): Promise<number | null> {
  const text = await readFile(pidFileOf(dataPath), 'utf8').catch(() => null);
  const pid = text === null ? Number.NaN : Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export type StopOutcome =
  | { kind: 'stopped'; pid: number }
  /** No pid file: nothing of ours runs there. */
  | { kind: 'none' }
  /** The pid file named a process that has gone, or that is not this folder's server. */
  | { kind: 'stale'; pid: number };

/**
 * SIGINT (as the server expects; see stopProcess in chroma-server.ts), then waits for it to exit;
 * SIGKILL only after `timeoutMs`. A pid the system reused for another program is never signalled:
 * on Linux the process must be running `… run --path DIR`.
 */
export async function stopServerAt(folder: string, options: { timeoutMs?: number } = {}): Promise<StopOutcome> {
  const dataPath = resolve(folder);
  const pid = await readPid(dataPath);
  if (pid === null) return { kind: 'none' };
  if (!alive(pid) || !(await servesFolder(pid, dataPath))) {
    await rm(pidFileOf(dataPath), { force: true });
    return { kind: 'stale', pid };
  }
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (alive(pid) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  await removePidFile(dataPath, pid);
  return { kind: 'stopped', pid };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function servesFolder(pid: number, dataPath: string): Promise<boolean> {
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  // Without /proc (macOS) the pid file is trusted: it is removed whenever its server exits.
  if (commandLine === null) return process.platform !== 'linux';
  const args = commandLine.split('\0');
  const at = args.indexOf('--path');
  return at >= 0 && args[at + 1] === dataPath;
}
