import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MigrateError } from '../core/util/errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'env-file': { type: 'string' },
  state: { type: 'string' },
} as const satisfies OptionSpec;

type CommandArgsConfig<T extends OptionSpec> = { args: string[]; options: typeof COMMON_OPTIONS & T; allowPositionals: false; strict: true };
/** Spelled out so declaration files can name it (node:util does not export its result types). */
export type ParsedCommandArgs<T extends OptionSpec> = ReturnType<typeof parseArgs<CommandArgsConfig<T>>>;

/**
 * The .env to use is `--dotenv PATH`. Node 20 itself reads an `--env-file` anywhere on its
 * command line, even after the script (nodejs/node#54232): it exits with "not found" for a file
 * that does not exist yet, before any of our code runs. `--env-file` still works where Node lets
 * it through; both land in the same option.
 */
function dotenvAlias(args: string[]): string[] {
  return args.map((arg) => (arg === '--dotenv' ? '--env-file' : arg.startsWith('--dotenv=') ? `--env-file=${arg.slice('--dotenv='.length)}` : arg));
}

export function parseCommandArgs<T extends OptionSpec>(command: string, args: string[], options: T): ParsedCommandArgs<T> {
  try {
    const config: CommandArgsConfig<T> = { args: dotenvAlias(args), options: { ...COMMON_OPTIONS, ...options }, allowPositionals: false, strict: true };
    return parseArgs(config);
  } catch (error) {
    throw new MigrateError('BAD_INPUT', `${command}: ${(error as Error).message.replace(/^Unknown option/, 'unknown option')}`, `See chroma-migrate ${command} --help.`);
  }
}

export function intOption(name: string, value: string | undefined, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new MigrateError('BAD_INPUT', `--${name} takes a whole number from ${min} to ${max}; got "${value}".`, `Fix --${name}.`);
  }
  return parsed;
}

export function listOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((name) => name.trim()).filter((name) => name !== '');
}

/** --if-exists as import and copy read it: `--yes` alone means append, nothing means ask. */
export function ifExistsOption(values: { 'if-exists'?: string; yes?: boolean }): 'ask' | 'append' | 'recreate' | 'abort' {
  return choiceOption('if-exists', values['if-exists'], ['ask', 'append', 'recreate', 'abort'] as const) ?? (values.yes ? 'append' : 'ask');
}

export function choiceOption<C extends string>(name: string, value: string | undefined, choices: readonly C[]): C | undefined {
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as C;
  throw new MigrateError('BAD_INPUT', `--${name} must be one of ${choices.join(', ')}; got "${value}".`, `Fix --${name}.`);
}
