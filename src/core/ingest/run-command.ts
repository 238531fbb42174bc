import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { startWatchdog } from '../util/watchdog.js';
import { LineSplitter } from './lines.js';

export type OutputStream = 'stdout' | 'stderr';

export interface RunCommandOptions {
  command: string;
  env: Record<string, string>;
  cwd: string;
  signal?: AbortSignal;
  onOutput?: (line: string, stream: OutputStream) => void;
  /** After Ctrl-C is forwarded: how long the command may take to stop before SIGTERM, then SIGKILL. */
  graceMs?: number;
}

export interface CommandExit {
  /** The shell's exit code; for a command ended by a signal, 128 + the signal's number, as a shell reports it. */
  exitCode: number;
  /** The signal that ended it, if one did. */
  signal: NodeJS.Signals | null;
  /** We forwarded Ctrl-C (the signal was aborted) before it ended. */
  interrupted: boolean;
  pid: number | undefined;
}

const DEFAULT_GRACE_MS = 10_000;

/**
 * Runs a command line through the shell and streams its output line by line.
 *
 * The command gets its own process group (detached), so Ctrl-C reaches it once and only
 * through us: we forward SIGINT to the whole group — the shell and whatever it started — and
 * wait for it to finish, escalating only if it ignores us. Without its own group a terminal's
 * Ctrl-C would hit it directly as well, and a Python script would get KeyboardInterrupt twice.
 * stdin is closed: in its own group the command cannot read the terminal anyway (SIGTTIN).
 */
export function runShellCommand(options: RunCommandOptions): Promise<CommandExit> {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, {
      shell: true,
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let interrupted = false;
    const timers: NodeJS.Timeout[] = [];
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const onAbort = () => {
      interrupted = true;
      killGroup('SIGINT');
      timers.push(setTimeout(() => killGroup('SIGTERM'), graceMs).unref());
      timers.push(setTimeout(() => killGroup('SIGKILL'), graceMs + 5_000).unref());
    };
    // If this process is forced to quit (a second Ctrl-C ends it at once), the command must not
    // run on unseen: SIGKILL, since a command that ignores TERM would outlive us.
    const watchdog = child.pid === undefined ? null : startWatchdog({ pid: child.pid, group: true });
    const onExit = () => {
      killGroup('SIGKILL');
      watchdog?.();
    };
    process.once('exit', onExit);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    const splitters = (['stdout', 'stderr'] as const).map((stream) => {
      const splitter = new LineSplitter((line) => options.onOutput?.(line, stream));
      child[stream].on('data', (chunk: Buffer) => splitter.push(chunk));
      return splitter;
    });
    const cleanUp = () => {
      watchdog?.();
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      process.removeListener('exit', onExit);
    };
    child.once('error', (error) => {
      cleanUp();
      reject(error);
    });
    let finished = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return;
      finished = true;
      cleanUp();
      for (const splitter of splitters) splitter.end();
      resolve({ exitCode: code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1), signal, interrupted, pid: child.pid });
    };
    // 'close' waits for the output streams, so no last line is lost...
    child.once('close', finish);
    // ...but a process the command left running in the background may hold them open for ever.
    child.once('exit', (code, signal) => {
      const wait = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      }, 2_000);
      child.once('close', () => clearTimeout(wait));
    });
  });
}
