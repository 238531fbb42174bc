import type { Writable } from 'node:stream';

/** What a command may touch of the outside world; tests pass their own. */
export interface CommandIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdinIsTTY: boolean;
  env: Record<string, string | undefined>;
  /** Aborted on Ctrl-C: long work stops at a safe point and leaves a checkpoint. */
  signal: AbortSignal;
  /**
   * How this CLI was started, by absolute paths: what a crontab line must call, since cron's
   * PATH (/usr/bin:/bin) finds neither nvm's node nor a global install's bin folder.
   */
  program?: Program;
  /**
   * The command as the user typed it, secrets left out (resume-command.ts), for the hints that
   * say how to continue. Set by the outermost command, so one that runs itself again
   * (--all-databases) keeps the user's.
   */
  typed?: { command: string; withheld: string[]; savesSecrets?: boolean };
  /**
   * Told when a command's work has ended with this exit code (its words printed, its run
   * recorded): a Ctrl-C after it stops nothing, and the executable says so instead of
   * "Stopping at a safe point…".
   */
  settled?: (code: number) => void;
}

interface Program {
  /** The node binary (process.execPath). */
  node: string;
  /** The CLI's own script, symlinks resolved (npm's bin links point into the package). */
  script: string;
}

/** Prompts and live bars need a person at a terminal; CI and pipes get plain output. */
export function isInteractive(io: CommandIo): boolean {
  return io.stdinIsTTY && io.stdout.isTTY === true && !isCi(io.env);
}

function isCi(env: Record<string, string | undefined>): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}

/**
 * @inquirer/prompts, loaded when a prompt is about to show. Its editor prompt brings iconv-lite
 * and chardet (~0.5 MB of the 1.7 MB bundle), which every start paid for before: `--version`,
 * scripts, and the wizard's first frame.
 */
export function loadPrompts(): Promise<typeof import('@inquirer/prompts')> {
  return import('@inquirer/prompts');
}
