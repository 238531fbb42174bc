import { isMigrateError, type ErrorCode, type MigrateError } from '../core/util/errors.js';
import { EXIT, writeJson } from './command.js';
import type { CommandIo } from './io.js';
import { withheldNote } from '../present/resume-command.js';
import { ChromaRequestError } from '../core/chroma/http.js';
import { isRetryableProblem } from '../core/chroma/network-problem.js';

/** The exit code is the error's code's, never its wording's. */
const EXIT_BY_CODE: Partial<Record<ErrorCode, number>> = {
  USAGE: EXIT.usage,
  // Only a person (or the flag that answers for one) can decide: the command line was not enough.
  NEEDS_ANSWER: EXIT.usage,
  INTERRUPTED: EXIT.interrupted,
};

function interrupted(error: unknown, io: CommandIo): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return io.signal.aborted || name === 'AbortError' || name === 'ExitPromptError';
}

/**
 * Under a fix that says to run the command again: that command, to paste (secrets left out, and
 * where they come from instead). Null when the fix says something else.
 */
function againLines(io: CommandIo, code: string, fix: string | undefined): string[] | null {
  if (!io.typed || (code !== 'INTERRUPTED' && !/same command again/i.test(fix ?? ''))) return null;
  return [io.typed.command, ...withheldNote(io.typed.withheld, io.typed.savesSecrets)].map((line) => `    ${line}\n`);
}

/**
 * A command that keeps checkpoints (copy, export, import) continues where it stopped when run
 * again, also after the server went away mid-run; the words about the connection are shared
 * with checks that have nothing to continue (ping, the wizard's connection test), so the hint
 * is added here, for those commands only.
 */
function fixFor(error: MigrateError, resumable: boolean): string | undefined {
  if (!resumable || !serverWentAway(error) || /same command again/i.test(error.fix ?? '')) return error.fix;
  return `${error.fix ? `${error.fix} ` : ''}Then run the same command again: it continues where it stopped.`;
}

/** The server did not take the connection, in a way that can change by itself (it restarts, it comes up). */
function serverWentAway(error: MigrateError): boolean {
  const cause = error.cause;
  return cause instanceof ChromaRequestError && cause.kind === 'network' && isRetryableProblem(cause.network?.problem ?? 'other');
}

/**
 * An error in words on stderr (and as `{ok: false, error}` on stdout with --json); its exit code.
 * `resumable`: the command keeps checkpoints, so running it again continues.
 */
export function reportFailure(error: unknown, io: CommandIo, options: { json?: boolean; resumable?: boolean } = {}): number {
  if (isMigrateError(error)) {
    const fix = fixFor(error, options.resumable === true);
    const again = againLines(io, error.code, fix);
    io.stderr.write(`✗ ${error.message}\n${fix ? `  → ${fix}\n` : ''}${again?.join('') ?? ''}`);
    if (options.json) writeJson(io, { ok: false, error: { code: error.code, message: error.message, fix: fix ?? null, ...(again ? { again: io.typed?.command } : {}) } });
    return EXIT_BY_CODE[error.code] ?? EXIT.failed;
  }
  if (interrupted(error, io)) {
    const again = againLines(io, 'INTERRUPTED', undefined);
    io.stderr.write(`Interrupted. Run the same command again to continue${again ? ':' : '.'}\n${again?.join('') ?? ''}`);
    if (options.json) writeJson(io, { ok: false, error: { code: 'INTERRUPTED', message: 'Interrupted.', fix: 'Run the same command again to continue.', ...(again ? { again: io.typed?.command } : {}) } });
    return EXIT.interrupted;
  }
  // Not an expected failure: show what we know, and where to report it.
  // One line of it: a message can carry a whole response body or source text.
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
  const fix = 'This is a bug in chroma-migrate; run again with DEBUG=chroma-migrate for details and report it.';
  io.stderr.write(`✗ Unexpected error: ${message}\n  → ${fix}\n`);
  if (io.env.DEBUG?.includes('chroma-migrate') && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  if (options.json) writeJson(io, { ok: false, error: { code: 'UNEXPECTED', message, fix } });
  return EXIT.failed;
}
