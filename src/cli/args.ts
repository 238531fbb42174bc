import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MigrateError } from '../core/util/errors.js';
import { COLLECTION_NAME_RULE, isCollectionName } from '../core/sinks/target/refusals.js';
import { inQuotes, shellWord } from '../core/util/format.js';
import { nearest } from './did-you-mean.js';

/** One flag: how it parses, and how its line in --help reads. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help: `--input FILE`. */
  arg?: string;
  /** What it does, one sentence or a few; wrapped to the terminal. */
  help: string;
  /** Set when the command cannot run without it: what it is, for the question or the usage error. */
  required?: string;
  /** The help section it belongs to (shared groups such as the target's flags). */
  group?: string;
  /** Its name in help when that differs from the key (`--dotenv` parses into 'env-file'). */
  display?: string;
}

export type Flags = Record<string, FlagSpec>;

/** Flags every command takes; a command may describe them in its own words by listing them. */
export const COMMON_FLAGS = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  'env-file': { type: 'string', arg: 'PATH', display: 'dotenv', help: 'the .env file to read (default ./.env)' },
  state: { type: 'string', arg: 'FILE', help: 'the migration state (default .chroma-migrate/state.json)' },
} as const satisfies Flags;

type ValueOf<S> = S extends { type: 'boolean' } ? boolean : string;
/** Parsed flags: a required one is a string by the time a command runs. */
export type FlagValues<F extends Flags> = {
  [K in keyof F as F[K] extends { required: string } ? K : never]: ValueOf<F[K]>;
} & {
  [K in keyof F as F[K] extends { required: string } ? never : K]?: ValueOf<F[K]>;
} & { help?: boolean; 'env-file'?: string; state?: string };

/**
 * The .env to use is `--dotenv PATH`. Node 20 itself reads an `--env-file` anywhere on its
 * command line, even after the script (nodejs/node#54232): it exits with "not found" for a file
 * that does not exist yet, before any of our code runs. `--env-file` still works where Node lets
 * it through; both land in the same option.
 */
function dotenvAlias(args: string[]): string[] {
  return args.map((arg) => (arg === '--dotenv' ? '--env-file' : arg.startsWith('--dotenv=') ? `--env-file=${arg.slice('--dotenv='.length)}` : arg));
}

export function parseFlags<F extends Flags>(command: string, args: string[], flags: F, usage?: string): FlagValues<F> {
  const all: Flags = { ...COMMON_FLAGS, ...flags };
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(all)) options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  try {
    return withHome(parseArgs({ args: dotenvAlias(args), options, allowPositionals: false, strict: true }).values, all) as FlagValues<F>;
  } catch (error) {
    const see = `${usage ? `Usage: chroma-migrate ${usage}\n    ` : ''}See chroma-migrate ${command} --help.`;
    throw new MigrateError('USAGE', `${command}: ${problem((error as Error).message, all, args)}`, see);
  }
}

/** Placeholders of the flags whose value is a path. */
const PATH_ARGS = new Set(['PATH', 'FILE', 'DIR', 'BACKUP']);

/**
 * A leading `~/` (or a lone `~`) in a path flag is the home folder, as the wizard's path prompts
 * read it: the shell expands `--dir ~/bk` but not `--dir=~/bk`, which would otherwise make a
 * folder literally named `~` in the current one.
 */
function withHome(values: Record<string, unknown>, flags: Flags): Record<string, unknown> {
  const out = { ...values };
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'string' || !PATH_ARGS.has(flags[name]?.arg ?? '')) continue;
    if (value === '~') out[name] = homedir();
    else if (value.startsWith('~/')) out[name] = join(homedir(), value.slice(2));
  }
  return out;
}

/** Node's words for a bad argument, shortened, with the nearest flag for a typo. */
function problem(message: string, flags: Flags, args: string[]): string {
  const unknown = /^Unknown option '(-{1,2})([^']*)'/.exec(message);
  if (unknown) {
    const guess = nearest(unknown[2] ?? '', Object.entries(flags).map(([key, spec]) => spec.display ?? key));
    return `unknown option '${unknown[1]}${unknown[2]}'.${guess ? ` Did you mean --${guess}?` : ''}`;
  }
  const positional = /^Unexpected argument '([^']*)'/.exec(message);
  if (positional) return `unexpected argument '${positional[1]}' (every value follows its flag, e.g. --input FILE).`;
  return ambiguous(message, args) ?? message;
}

/**
 * Node calls a value that starts with a dash "ambiguous" (it might be the next flag). A number
 * there is a negative one, which no flag of ours takes; anything else is most likely a flag that
 * came where the value should have been.
 */
function ambiguous(message: string, args: string[]): string | null {
  const typed = /^Option '([^']+)' argument is ambiguous/.exec(message)?.[1];
  const long = /use '--([\w-]+)=-XYZ'/.exec(message)?.[1];
  if (!typed || !long) return null;
  const value = args[args.indexOf(typed) + 1] ?? '';
  if (/^-\d/.test(value)) return `--${long} must be a positive whole number; got ${inQuotes(value)}.`;
  return `--${long} needs a value, but ${inQuotes(value)} came next, which reads as a flag (a value that starts with a dash is written --${long}=VALUE).`;
}

export function intOption(name: string, value: string | undefined, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new MigrateError('USAGE', `--${name} takes a whole number from ${min} to ${max}; got "${value}".`, `Fix --${name}.`);
  }
  return parsed;
}

export function listOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((name) => name.trim()).filter((name) => name !== '');
}

/** --if-exists as import and copy read it: `--yes` alone means append, nothing means ask. */
/** What import and copy do with a target collection that already holds records; ifExistsOption reads them. */
export const EXISTS_FLAGS = {
  'if-exists': {
    type: 'string',
    arg: 'MODE',
    help: 'when a target collection already holds records: ask (default in a terminal), append (upsert by id), recreate (delete it first), abort',
  },
  yes: { type: 'boolean', short: 'y', help: 'with no --if-exists: append without asking' },
} as const satisfies Flags;

/** An --out already there that this export did not write (core/state/replace-out.ts). */
export const OVERWRITE_FLAGS = {
  overwrite: {
    type: 'boolean',
    help: "replace an --out file that is already there and is not this export's own earlier backup; without it such a file is kept (asked in a terminal, refused elsewhere). Running the same command again needs no flag: it continues its .partial, or writes its own file again",
  },
} as const satisfies Flags;

export function ifExistsOption(values: { 'if-exists'?: string; yes?: boolean }): 'ask' | 'append' | 'recreate' | 'abort' {
  return choiceOption('if-exists', values['if-exists'], ['ask', 'append', 'recreate', 'abort'] as const) ?? (values.yes ? 'append' : 'ask');
}

export function choiceOption<C extends string>(name: string, value: string | undefined, choices: readonly C[]): C | undefined {
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as C;
  throw new MigrateError('USAGE', `--${name} must be one of ${choices.join(', ')}; got "${value}".`, `Fix --${name}.`);
}

/**
 * --as NEW, refused before anything is read when Chroma would not take it as a collection's name
 * (a later refusal said to upgrade the target), with a name it would take.
 */
export function newNameOption(value: string | undefined): string | undefined {
  if (value === undefined || isCollectionName(value)) return value;
  const suggestion = value.replace(/[^a-zA-Z0-9._-]+/g, '_').replace(/^[._-]+|[._-]+$/g, '').slice(0, 512);
  const example = isCollectionName(suggestion) ? `, e.g. --as ${shellWord(suggestion)}` : '';
  throw new MigrateError('USAGE', `--as ${inQuotes(value)} is not a collection name: ${COLLECTION_NAME_RULE}.`, `Pick another name${example}.`);
}
