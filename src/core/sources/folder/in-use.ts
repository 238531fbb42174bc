/**
 * Whether another process has the folder's database open. Chroma takes no lock on a data folder:
 * a running server or app keeps writing while we copy, and the copy would be torn. On Linux the
 * open files of every process we may see are links under /proc/PID/fd; elsewhere we cannot tell
 * and say nothing (the copy's before/after check still catches a write during it).
 */
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';

export async function processesHolding(file: string): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  const target = await realpath(file);
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  const holders: number[] = [];
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (link === target) {
        holders.push(Number(pid));
        break;
      }
    }
  }
  return holders;
}

/** The program's name, for "stop X (pid N) first"; null when it cannot be read. */
export async function processName(pid: number): Promise<string | null> {
  const line = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const words = line.split('\0').filter((word) => word !== '');
  return words.length > 0 ? words.slice(0, 4).join(' ') : null;
}
