import { resolve } from 'node:path';
import { loadEnv } from '../core/chroma/connection.js';
import { statePath } from '../core/state/store.js';
import { nearest } from './did-you-mean.js';
import { EXIT } from './command.js';
import { COMMANDS } from './commands.js';
import { reportFailure } from './failure.js';
import { isInteractive, type CommandIo } from './io.js';
import { helpWidth, wrapWords } from './wrap.js';

const VERSION = '0.1.0';

/** The last word on an error nothing awaited (src/bin/cli.ts), in the runner's words. */
export { reportFailure as reportError } from './failure.js';
export { LATE_CTRL_C } from './define-command.js';

function usage(width = 80): string {
  const name = Math.max(...COMMANDS.map((command) => command.name.length));
  const list = COMMANDS.flatMap((command) => wrapWords(command.summary, width, `  ${command.name.padEnd(name)}  `, ' '.repeat(name + 4)));
  const title = wrapWords(`chroma-migrate ${VERSION} — move your Chroma Cloud collections to a self-hosted Chroma server`, width).join('\n');
  return `${title}

Usage: chroma-migrate <command> [options]
       chroma-migrate              (no arguments: the step-by-step wizard)

Commands:
${list.join('\n')}

A typical migration (export reads CHROMA_API_KEY etc. from .env; serve runs a
local server, or see deploy-guide):
  chroma-migrate export --out backup.jsonl.gz
  chroma-migrate serve
  chroma-migrate import --input backup.jsonl.gz --url http://localhost:8000
  chroma-migrate verify --input backup.jsonl.gz --url http://localhost:8000

Run chroma-migrate <command> --help for a command's options.`;
}

/** argv → a command; errors become words and an exit code, never a stack trace. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  const width = helpWidth(io.stdout, io.env);
  if (name === undefined) return startWizard(io);
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? COMMANDS.find((command) => command.name === rest[0]) : undefined;
    io.stdout.write(`${topic ? topic.help(width) : usage(width)}\n`);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    const names = COMMANDS.map((candidate) => candidate.name);
    const guess = nearest(name, names);
    io.stderr.write(`Unknown command "${name}".${guess ? ` Did you mean ${guess}?` : ''}\n`);
    io.stderr.write(`Usage: chroma-migrate <command> [options], where <command> is one of:\n${wrapWords(names.join(', '), width, '  ').join('\n')}\nSee chroma-migrate --help.\n`);
    return EXIT.usage;
  }
  return command.run(rest, io);
}

/** No arguments: the interactive wizard, which needs a person at a terminal. */
async function startWizard(io: CommandIo): Promise<number> {
  if (!isInteractive(io)) {
    io.stderr.write(
      'The interactive wizard needs a terminal (stdin and stdout a TTY, and CI not set).\n' +
        'In scripts, pipes and CI use the subcommands:\n\n',
    );
    io.stdout.write(`${usage(helpWidth(io.stdout, io.env))}\n`);
    return EXIT.usage;
  }
  try {
    // Loaded only here, so subcommands start without React and Ink.
    const { runWizard } = await import('../wizard/run.js');
    const code = await runWizard({ cwd: process.cwd(), env: loadEnv('.env', io.env), envFile: resolve('.env'), statePath: statePath(undefined, io.env) });
    // Wrapped at words: at 60 columns the sentence's full stop used to fall alone onto a line of its own.
    const saved = wrapWords('Saved. Run chroma-migrate again to resume where you left off.', helpWidth(io.stdout, io.env));
    if (code === EXIT.interrupted) io.stderr.write(`${saved.join('\n')}\n`);
    return code;
  } catch (error) {
    return reportFailure(error, io);
  }
}
