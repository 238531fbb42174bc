import { isMigrateError } from './core/errors.js';
import { EXIT } from './commands/command.js';
import { COMMANDS } from './commands/index.js';
import type { CommandIo } from './commands/io.js';

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
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
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
    return report(error, io);
  }
}

function report(error: unknown, io: CommandIo): number {
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
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`✗ Unexpected error: ${message}\n  → This is a bug in chroma-migrate; run again with DEBUG=chroma-migrate for details and report it.\n`);
  if (io.env.DEBUG?.includes('chroma-migrate') && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  return EXIT.failed;
}
