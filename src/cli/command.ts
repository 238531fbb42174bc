import type { CommandIo } from './io.js';

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The whole --help text, wrapped to this width. */
  help(width: number): string;
  /** Resolves with the exit code: 0 done, 1 failed, 2 usage, 130 interrupted. */
  run(args: string[], io: CommandIo): Promise<number>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export function writeJson(io: CommandIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
