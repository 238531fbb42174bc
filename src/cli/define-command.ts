import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MigrateError } from '../core/util/errors.js';
import { COMMON_FLAGS, parseFlags, type Flags, type FlagValues } from './args.js';
import { recordRunEnd, recordRunStart } from '../core/state/runs.js';
import { statePath } from '../core/state/store.js';
import { commandText, typedArgs } from '../present/resume-command.js';
import { EXIT, type Command } from './command.js';
import { nearest } from './did-you-mean.js';
import { createContext, type CommandContext } from './context.js';
import { reportFailure } from './failure.js';
import { renderHelp, type HelpSpec } from './help.js';
import { isInteractive, loadPrompts, type CommandIo } from './io.js';
import { helpWidth } from './wrap.js';

export interface CommandSpec<F extends Flags> extends HelpSpec {
  /** One line for the command list. */
  summary: string;
  flags: F;
  /** The words one of which the command needs first (`env set`, `embeddings check`). */
  subcommands?: readonly string[];
  /** Writes the --dotenv file, so one that does not exist yet is fine (`env set`). */
  createsDotenv?: boolean;
  /** Only reads the --state file, so one that does not exist is a mistake (`status`). */
  readsStateOnly?: boolean;
  /** Saves the secrets it is given (`env set` writes --token into .env): one left out of a printed command is not written at all. */
  savesSecrets?: boolean;
  /** Keeps checkpoints in the migration state: each run is noted there as typed, for `status` to print. */
  recordsRun?: boolean;
  /** The command's own work; the runner did the rest (help, flags, .env, reporter, exit code). */
  run(context: CommandContext<F>): Promise<number>;
}

const HELP_WORDS = ['--help', '-h', 'help'];

/**
 * A subcommand from its flags and its work: --help, required flags (asked at a terminal, a usage
 * error naming the flag elsewhere), the reporter's life, and the exit code from the error's code.
 */
export function defineCommand<F extends Flags>(spec: CommandSpec<F>): Command {
  const help = (width: number) => renderHelp(spec, width);
  return {
    name: spec.name,
    summary: spec.summary,
    help,
    async run(args, io) {
      const json = args.includes('--json');
      let context: CommandContext<F> | undefined;
      let run: StartedRun | undefined;
      try {
        const subcommand = spec.subcommands === undefined || HELP_WORDS.includes(args[0] ?? '') ? undefined : chosenSubcommand(spec, args[0]);
        if (spec.subcommands !== undefined) args = subcommand === undefined ? ['--help'] : args.slice(1);
        const name = subcommand === undefined ? spec.name : `${spec.name} ${subcommand}`;
        const values = parseFlags(name, args, spec.flags, `${spec.name} ${spec.usage[0]}`);
        if (values.help) {
          io.stdout.write(`${help(helpWidth(io.stdout, io.env))}\n`);
          return EXIT.ok;
        }
        refuseMissingFiles(spec, values);
        await askRequired(name, spec.flags, values, io);
        run = await startRun(name, args, spec, values, io);
        context = createContext(values, run.io, subcommand, args);
        const code = await spec.run(context);
        await run.end(code);
        // A Ctrl-C that came once the work was done (while its last words were printed) stopped nothing.
        if (code === EXIT.ok && io.signal.aborted && !io.typed) io.stderr.write(`${LATE_CTRL_C}\n`);
        if (!io.typed) io.settled?.(code);
        return code;
      } catch (error) {
        await context?.close().catch(() => undefined);
        const code = reportFailure(error, run?.io ?? io, { json, resumable: spec.recordsRun === true });
        await run?.end(code);
        return code;
      } finally {
        await context?.close();
      }
    },
  };
}

/** Said when Ctrl-C came after the work was done: the exit code and `status` say done, and so does this. */
export const LATE_CTRL_C = 'Ctrl-C came after everything above was done: nothing was stopped.';

interface StartedRun {
  /** The command's io, knowing the command as typed. */
  io: CommandIo;
  end(code: number): Promise<void>;
}

/**
 * The command as typed (secrets left out), for every hint that says how to continue; for a
 * command that keeps checkpoints, also noted in the migration state for `status`. Noting it is
 * best effort: a state that cannot be written stops the command's own work soon enough, in its words.
 */
async function startRun(name: string, args: string[], spec: CommandSpec<Flags>, values: { state?: string; 'dry-run'?: unknown }, io: CommandIo): Promise<StartedRun> {
  if (io.typed !== undefined) return { io, end: async () => undefined };
  const cwd = process.cwd();
  const typed = typedArgs(args, flagShape(spec.flags), cwd);
  const known = { ...io, typed: { command: commandText(name, typed.args), withheld: typed.withheld, savesSecrets: spec.savesSecrets === true } };
  // A dry run promises to write nothing, the state included, and leaves nothing to continue.
  if (!spec.recordsRun || values['dry-run'] === true) return { io: known, end: async () => undefined };
  const path = statePath(values.state, io.env);
  const id = await recordRunStart(path, { command: name, args: typed.args, withheld: typed.withheld, cwd, files: typed.files }).catch(() => null);
  return {
    io: known,
    async end(code) {
      const outcome = code === EXIT.ok ? 'done' : code === EXIT.interrupted ? 'interrupted' : 'failed';
      if (id !== null) await recordRunEnd(path, id, outcome).catch(() => undefined);
    },
  };
}

/** Which flags take a value, by long name or short letter, the common ones included. */
function flagShape(flags: Flags) {
  const all: Flags = { ...COMMON_FLAGS, ...flags };
  const byName = new Map(Object.entries(all).flatMap(([key, flag]) => [[key, flag], ...(flag.display ? [[flag.display, flag] as const] : [])]));
  return {
    long: (short: string) => Object.entries(all).find(([, flag]) => flag.short === short)?.[0],
    takesValue: (name: string) => byName.get(name)?.type === 'string',
  };
}

function chosenSubcommand(spec: CommandSpec<Flags>, word: string | undefined): string {
  const known = spec.subcommands ?? [];
  if (word !== undefined && known.includes(word)) return word;
  const guess = word === undefined ? null : nearest(word, known);
  const what = word === undefined ? `${spec.name} needs a subcommand` : `Unknown ${spec.name} subcommand "${word}"${guess ? ` (did you mean ${guess}?)` : ''}`;
  throw new MigrateError('USAGE', `${what}: chroma-migrate ${spec.name} ${spec.usage[0]}.`, `See chroma-migrate ${spec.name} --help.`);
}

/** A file named on purpose that is not there: said, never quietly replaced by the default. */
function refuseMissingFiles(spec: CommandSpec<Flags>, values: { 'env-file'?: string; state?: string }): void {
  const dotenv = values['env-file'];
  if (dotenv !== undefined && !spec.createsDotenv && !existsSync(dotenv)) {
    throw new MigrateError('USAGE', `There is no ${resolve(dotenv)} (--dotenv).`, 'Check the path, or leave --dotenv out to read ./.env.');
  }
  if (values.state !== undefined && spec.readsStateOnly && !existsSync(values.state)) {
    throw new MigrateError('USAGE', `There is no migration state at ${resolve(values.state)} (--state).`, 'Check the path, or leave --state out for ./.chroma-migrate/state.json.');
  }
}

/** A required flag left out: asked for at a terminal; elsewhere a usage error that names it. */
async function askRequired<F extends Flags>(name: string, flags: F, values: FlagValues<F>, io: CommandIo): Promise<void> {
  const record = values as Record<string, unknown>;
  for (const [key, flag] of Object.entries(flags)) {
    if (flag.required === undefined || record[key] !== undefined) continue;
    const spelled = `--${flag.display ?? key}${flag.arg ? ` ${flag.arg}` : ''}`;
    if (!isInteractive(io)) throw new MigrateError('USAGE', `${name} needs ${spelled} (${flag.required}).`, `See chroma-migrate ${name.split(' ')[0]} --help.`);
    const { input } = await loadPrompts();
    record[key] = await input({ message: `${spelled} — ${flag.required}:`, required: true }, { output: io.stderr, signal: io.signal });
  }
}
