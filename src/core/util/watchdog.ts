/**
 * Ends a process we started if this process dies without a word (kill -9, a crash): a small
 * shell in a session of its own waits on a pipe from us; the pipe closes when we die, and it
 * signals the process (or its whole group), then SIGKILL if it is still there 3 s later. Without
 * it a command ran on unseen, and a Chroma server went on serving a deleted copy on its port.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface WatchdogOptions {
  /** The process to end: a process group's id when `group`. */
  pid: number;
  group?: boolean;
  /** The first signal. INT for a Chroma server: on TERM it logs that it stops and then spins. */
  signal?: 'TERM' | 'INT';
}

const SCRIPT = [
  'trap "" INT HUP TERM',
  'cat >/dev/null',
  'kill -"$2" "$1" 2>/dev/null',
  'i=0',
  'while [ "$i" -lt 30 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; i=$((i+1)); done',
  'kill -KILL "$1" 2>/dev/null',
].join('\n');

/**
 * Returns what stops the watchdog once the process has ended (so a reused pid is never hit), or
 * once it is meant to outlive us.
 */
export function startWatchdog(options: WatchdogOptions): () => void {
  const target = options.group ? `-${options.pid}` : String(options.pid);
  let watchdog: ChildProcess;
  try {
    watchdog = spawn('/bin/sh', ['-c', SCRIPT, 'chroma-migrate-watchdog', target, options.signal ?? 'TERM'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  } catch {
    return () => undefined;
  }
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  // Neither the watchdog nor its pipe may keep this process alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let stopped = false;
  return () => {
    if (stopped || watchdog.pid === undefined) return;
    stopped = true;
    try {
      process.kill(-watchdog.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
}
