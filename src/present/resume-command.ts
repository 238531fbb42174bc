import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resumableRuns, type ResumableRun } from '../core/state/runs.js';
import type { MigrationState, RunRecord } from '../core/state/schema.js';
import { fraction, inQuotes, shellWord } from '../core/util/format.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../core/chroma/endpoint.js';
import { withMaskedQuery } from '../core/chroma/url.js';

/**
 * The program in every printed command: the name `npm install -g` puts on the PATH, as the
 * README and every other hint spell it (never an npx cache path or `node …/cli.mjs`).
 */
const PROGRAM = 'chroma-migrate';

/** Flags whose value is a secret: never saved, never printed. `--token-header` and `--api-key-env` only name things. */
function isSecretFlag(name: string): boolean {
  return /(^|-)(token|key|secret|password)$/.test(name);
}

/** `http://user:pass@host` → `http://host` (also as `--url=…`): a URL's credentials are a secret too. */
function withoutUserinfo(word: string): string {
  return word.replace(/^((?:--[^=\s]+=)?[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

/** Flags whose value is an address, where a query may carry a key (`?token=…`): its values are never saved or printed. */
const URL_FLAGS = new Set(['url', 'source-url', 'endpoint', 'host']);

/** Where the paths a command reads or writes are: what ties a run to its checkpoints. */
const FILE_FLAGS = new Set(['out', 'input']);

export interface TypedArgs {
  args: string[];
  /** The secret flags left out, as typed ("--token"). */
  withheld: string[];
  /** Absolute paths of --out and --input. */
  files: string[];
}

/**
 * The arguments as typed, less every secret and its value (`--token T`, `--token=T`, `-t T`).
 * `takesValue(name)` says whether a flag (long name, or short letter) is followed by a value.
 */
export function typedArgs(args: string[], flags: { long: (short: string) => string | undefined; takesValue: (name: string) => boolean }, cwd: string): TypedArgs {
  const kept: string[] = [];
  const withheld: string[] = [];
  const files: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const match = /^--([^=]+)(=(.*))?$/.exec(arg) ?? /^-([A-Za-z])()()$/.exec(arg);
    const name = match ? (arg.startsWith('--') ? match[1]! : (flags.long(match[1]!) ?? match[1]!)) : undefined;
    const inline = match?.[2] ? match[3] : undefined;
    const value = name !== undefined && inline === undefined && flags.takesValue(name) ? args[index + 1] : inline;
    const width = name !== undefined && inline === undefined && flags.takesValue(name) ? 2 : 1;
    if (name !== undefined && isSecretFlag(name)) withheld.push(arg.split('=')[0]!);
    else {
      const words = args.slice(index, index + width);
      const bare = words.map(withoutUserinfo);
      const where = name === undefined ? 'a URL' : `--${name}`;
      if (bare.some((word, at) => word !== words[at])) withheld.push(`the user:password in ${where}`);
      const masked = bare.map((word, at) => (isAddress(name, word, at === width - 1) ? withMaskedQuery(word) : word));
      if (masked.some((word, at) => word !== bare[at])) withheld.push(`the query in ${where}`);
      kept.push(...masked);
      if (name !== undefined && FILE_FLAGS.has(name) && value !== undefined) files.push(resolve(cwd, value));
    }
    index += width - 1;
  }
  return { args: kept, withheld, files };
}

/** An address as a printed command may show it: no user:password, its query's values "…". */
export function shownAddress(url: string): string {
  return withMaskedQuery(withoutUserinfo(url));
}

/** The value of an address flag (`last`: the word that holds it), or any word written as a URL. */
function isAddress(name: string | undefined, word: string, last: boolean): boolean {
  return (name !== undefined && URL_FLAGS.has(name) && last) || /^(?:--[^=\s]+=)?[a-z][a-z0-9+.-]*:\/\//i.test(word);
}

/** `chroma-migrate copy --out 'my backup.jsonl.gz' …`, every word quoted for a POSIX shell. */
export function commandText(command: string, args: string[]): string {
  return [PROGRAM, ...command.split(' '), ...args].map(shellWord).join(' ');
}

/**
 * A printed command with one flag set to `value`, in place of the value typed for it if any
 * (`--if-exists recreate` where `--if-exists append` was typed).
 */
/** The target's tenant and database as flags, each only when it is not the default one. */
export function targetPlaceFlags(tenant: string | undefined, database: string | undefined): string[] {
  return [...(tenant && tenant !== DEFAULT_TENANT ? ['--target-tenant', tenant] : []), ...(database && database !== DEFAULT_DATABASE ? ['--target-database', database] : [])];
}

export function withFlagValue(command: string, flag: string, value: string): string {
  const typed = new RegExp(` ${flag}(?:=\\S+| \\S+)`);
  return `${command.replace(typed, '')} ${flag} ${shellWord(value)}`;
}

/**
 * The command that continues a saved run, to paste: from another folder, it first goes to the
 * run's own (relative paths and .env are read there). A note follows when a secret was left out.
 */
export function resumeLines(run: Pick<RunRecord, 'command' | 'args' | 'cwd' | 'withheld'>, here: string): string[] {
  const go = resolve(here) === resolve(run.cwd) ? '' : `cd ${shellWord(run.cwd)} && `;
  return [`${go}${commandText(run.command, run.args)}`, ...withheldNote(run.withheld)];
}

/** Where each secret flag's value is read from when the flag is absent. */
const SECRET_ENV: Record<string, string> = { '--token': 'CHROMA_AUTH_TOKEN', '--api-key': 'CHROMA_API_KEY', '--source-token': 'CHROMA_SOURCE_TOKEN' };

/**
 * Said under a printed command whose secret flags were left out: where the value comes from instead.
 * `saved`: the command writes the secret itself (`env set`), so without it again nothing of it is written.
 */
export function withheldNote(withheld: string[], saved = false): string[] {
  const flags = [...new Set(withheld)];
  if (flags.length === 0) return [];
  const were = `${flags.join(' and ')} ${flags.length === 1 ? 'was' : 'were'} left out`;
  const vars = flags.map((flag) => SECRET_ENV[flag]).filter((name): name is string => name !== undefined);
  if (saved) {
    const env = vars.length > 0 ? ` (or set ${vars.join(' and ')} in the environment)` : '';
    const [it, is] = flags.length === 1 ? ['it', 'is'] : ['them', 'are'];
    return [`(Secrets are never printed: ${were}. Add ${it} again${env}, or ${it} ${is} not written.)`];
  }
  const instead = vars.length > 0 ? `set ${vars.join(' and ')} in .env or the environment instead` : 'add it again';
  return [`(Secrets are never saved: ${were}; ${instead}.)`];
}

const OUTCOME: Record<RunRecord['outcome'], string> = {
  interrupted: 'interrupted',
  failed: 'stopped by an error',
  running: 'did not finish (or is still running)',
  done: 'finished',
};

/** "copy (interrupted 2026-12-04 16:05 UTC): "docs" at 7,600 of 20,000 records on the target" */
function describeRun({ run, imports, exports }: ResumableRun): string {
  const at = (run.endedAt ?? run.startedAt).slice(0, 16).replace('T', ' ');
  if (imports.length + exports.length === 0) return `${run.command} (${OUTCOME[run.outcome]} ${at} UTC): interrupted before any record was written — run again:`;
  const where = imports.length > 0
    ? imports.map((entry) => `${inQuotes(entry.collection)}${inDatabase(run, entry.backup, entry.target)} at ${fraction(entry.committed, entry.total)} records on the target`)
    : exports.map((entry) => `${fraction(entry.finished.length, entry.collections.length)} collections${inDatabase(run, entry.out, entry.source)} in ${entry.out}${entry.current ? `, ${inQuotes(entry.current.name)} at ${fraction(entry.current.offset, entry.current.total)} records` : ''}`);
  return `${run.command} (${OUTCOME[run.outcome]} ${at} UTC): ${where.join('; ')}`;
}

/** " of database staging" for a checkpoint of one database's part of the run's file (--all-databases). */
function inDatabase(run: RunRecord, path: string, place: string): string {
  return run.files.includes(path) ? '' : ` of database ${place.split('/').pop() ?? ''}`;
}

/** What can be continued, each with the command that continues it: `status`'s last section. */
export function resumableLines(state: MigrationState, here: string): string[] {
  const found = resumableRuns(state);
  const lines: string[] = [];
  for (const entry of found.runs) lines.push(`  ${describeRun(entry)}`, ...resumeLines(entry.run, here).map((line) => `    ${line}`));
  lines.push(...orphanImportLines(found.imports));
  for (const out of new Set(found.exports.map((entry) => entry.out))) lines.push(`  Export to ${out}: run the same export again (or chroma-migrate, if the wizard started it).`);
  return lines.length > 0 ? ['Can be continued:', ...lines] : [];
}

/**
 * Checkpoints no saved run names (a state from an older version, or the wizard's work), one
 * entry per command that continues them: the collections of one import go on with one command,
 * which printed once a collection read as as many imports to run.
 */
function orphanImportLines(imports: MigrationState['imports']): string[] {
  const groups = new Map<string, { head: (where: string) => string; tail: string[]; where: string[] }>();
  for (const entry of imports) {
    const progress = `${inQuotes(entry.collection)} at ${fraction(entry.committed, entry.total)} records`;
    const gone = !existsSync(entry.backup);
    const command = gone ? null : commandText('import', importArgs(entry));
    const key = command ?? `gone\0${entry.backup}`;
    const group = groups.get(key) ?? {
      head: gone ? (where: string) => `  Copy into ${where}: run the copy that writes ${entry.backup} again, with the same flags (or chroma-migrate, if the wizard started it).` : (where: string) => `  Import of ${where}:`,
      tail: command ? [`    ${command}`] : [],
      where: [],
    };
    group.where.push(progress);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap((group) => [group.head(group.where.join(', ')), ...group.tail]);
}

/** An import's flags from its checkpoint alone: the backup, the collection, its name and the target. */
function importArgs(entry: MigrationState['imports'][number]): string[] {
  const args = ['--input', entry.backup];
  if (entry.sourceCollection !== entry.collection) args.push('--collection', entry.sourceCollection, '--as', entry.collection);
  // The target is kept as URL/tenant/database.
  const parts = entry.target.split('/');
  const database = parts.pop();
  const tenant = parts.pop();
  args.push('--url', parts.join('/'), ...targetPlaceFlags(tenant, database));
  return args;
}
