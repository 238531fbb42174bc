import { isMigrateError } from '../core/util/errors.js';
import { EXIT } from './command.js';
import { COMMANDS } from './commands.js';
import { isInteractive, type CommandIo } from './io.js';
import { resolve } from 'node:path';
import { loadEnv } from '../core/chroma/connection.js';
import { statePath } from '../core/state/store.js';

const VERSION = '0.1.0';

export function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `chroma-migrate ${VERSION} — move your Chroma Cloud collections to a self-hosted Chroma server

Usage: chroma-migrate <command> [options]

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

A typical migration:
  chroma-migrate export --out backup.jsonl.gz          # reads CHROMA_API_KEY etc. from .env
  chroma-migrate serve                                 # or deploy Chroma on Railway/Docker
  chroma-migrate import --input backup.jsonl.gz --url http://localhost:8000
  chroma-migrate verify --input backup.jsonl.gz --url http://localhost:8000
  chroma-migrate status

Run chroma-migrate <command> --help for a command's options.`;
}

/** argv → a command; errors become words and an exit code, never a stack trace. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) return startWizard(io);
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? COMMANDS.find((command) => command.name === rest[0]) : undefined;
    io.stdout.write(`${topic ? topic.help : usage()}\n`);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`Unknown command "${name}".\n\n${usage()}\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io);
  }
}

/** No arguments: the interactive wizard, which needs a person at a terminal. */
async function startWizard(io: CommandIo): Promise<number> {
  if (!isInteractive(io)) {
    io.stderr.write(
      'The interactive wizard needs a terminal (stdin and stdout a TTY, and CI not set).\n' +
        'In scripts, pipes and CI use the subcommands:\n\n',
    );
    io.stdout.write(`${usage()}\n`);
    return EXIT.usage;
  }
  try {
    // Loaded only here, so subcommands start without React and Ink.
    const { runWizard } = await import('../wizard/run.js');
    const code = await runWizard({ cwd: process.cwd(), env: loadEnv('.env', io.env), envFile: resolve('.env'), statePath: statePath(undefined, io.env) });
    if (code === EXIT.interrupted) io.stderr.write('Saved. Run chroma-migrate again to resume where you left off.\n');
    return code;
  } catch (error) {
    return reportError(error, io);
  }
}

/** An error put in words on stderr; resolves to the exit code. Also the last word on an error nothing awaited. */
export function reportError(error: unknown, io: CommandIo): number {
  if (isMigrateError(error)) {
    io.stderr.write(`✗ ${error.message}\n${error.fix ? `  → ${error.fix}\n` : ''}`);
    if (error.code === 'INTERRUPTED') return EXIT.interrupted;
    if (error.code === 'BAD_INPUT' && /unknown option|takes a whole number|must be one of/.test(error.message)) return EXIT.usage;
    if (error.code === 'NEEDS_ANSWER') return EXIT.usage;
    return EXIT.failed;
  }
  if (io.signal.aborted || (error as { name?: string })?.name === 'AbortError' || (error as { name?: string })?.name === 'ExitPromptError') {
    io.stderr.write('Interrupted. Run the same command again to continue.\n');
    return EXIT.interrupted;
  }
  // Not an expected failure: show what we know, and where to report it.
  // One line of it: a message can carry a whole response body or source text.
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
  io.stderr.write(`✗ Unexpected error: ${message}\n  → This is a bug in chroma-migrate; run again with DEBUG=chroma-migrate for details and report it.\n`);
  if (io.env.DEBUG?.includes('chroma-migrate') && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  return EXIT.failed;
}
