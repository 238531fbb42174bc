/**
 * CPU affinity with `taskset`: the pinned model gives the target server a core of its own (as on
 * Railway, where the target's CPU is not shared with the client or the source) and keeps
 * everything else (this process, the in-process proxies, the source server, the bench child) on
 * the other. Affinity is inherited by children and threads, so pinning this process first pins
 * every process it starts afterwards.
 */
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why the pinned model cannot run here, or null when it can. */
export async function cannotPin(): Promise<string | null> {
  if (process.platform !== 'linux') return 'taskset is Linux only';
  if (cpus().length < 2) return 'needs at least 2 cores';
  try {
    await run('taskset', ['-p', String(process.pid)]);
    return null;
  } catch (error) {
    return `taskset failed: ${(error as Error).message}`;
  }
}

/** Pins every thread of `pid` to the CPU list (e.g. "1", "0", "0,1"). */
export async function pin(pid: number, list: string): Promise<void> {
  await run('taskset', ['-a', '-p', '-c', list, String(pid)]);
}

/** Every CPU of the machine, as a taskset list: how to undo a pin. */
export function allCpus(): string {
  return cpus().length > 1 ? `0-${cpus().length - 1}` : '0';
}
