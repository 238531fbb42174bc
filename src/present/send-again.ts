import { commandText, shownAddress, withheldNote } from './resume-command.js';

type Values = Record<string, unknown>;

/** Flags that say where the target is and how to read it, carried from one command into another. */
const TARGET_KEYS = ['url', 'host', 'port', 'ssl', 'token-header', 'insecure', 'target-tenant', 'target-database', 'env-file', 'state'];
const SOURCE_KEYS = ['source-url', 'source-path', 'tenant', 'database'];
const ADDRESS_KEYS = new Set(['url', 'host', 'source-url']);
const SECRET_KEYS: Record<string, string> = { token: '--token', 'api-key': '--api-key', 'source-token': '--source-token' };

function flagsOf(values: Values, keys: string[]): string[] {
  return keys.flatMap((key) => {
    const value = values[key];
    const flag = `--${key === 'env-file' ? 'dotenv' : key}`;
    // An address's user:password and query values are secrets as a token is: never printed.
    return value === true ? [flag] : typeof value === 'string' ? [flag, ADDRESS_KEYS.has(key) ? shownAddress(value) : value] : [];
  });
}

/**
 * The command that sends the records a verify found missing, with the same collections, name
 * and target as the command that found them: an import of the backup (appending), or, when
 * the reference was the live source, a sync from it. Lines to print, the command first.
 */
export function sendAgainLines(values: Values, backup: string | undefined, rewrite = false): string[] {
  if (backup === undefined) return syncLines(values, []);
  const names = namesOf(values);
  // --again: every record, so that those that differ are written over (a finished import would send only the missing).
  const args = ['--input', backup, ...(names ? ['--collection', names] : []), ...asOf(values), ...flagsOf(values, TARGET_KEYS), '--if-exists', 'append', ...(rewrite ? ['--again'] : [])];
  return [commandText('import', args), ...withheldNote(withheldOf(values))];
}

/**
 * The command that deletes from the target the records a check against the live source found
 * there but not at the source (deleted at the source since they were sent): a sync with
 * --prune, which names them and asks before it deletes.
 */
export function pruneLines(values: Values): string[] {
  // sync reads one database: for a copy of every database there is no one command to give.
  if (values['all-databases'] === true) return [];
  return syncLines(values, ['--prune']);
}

function syncLines(values: Values, extra: string[]): string[] {
  const names = namesOf(values);
  const args = [...flagsOf(values, SOURCE_KEYS), ...(names ? ['--collections', names] : ['--all']), ...asOf(values), ...extra, ...flagsOf(values, TARGET_KEYS)];
  return [commandText('sync', args), ...withheldNote(withheldOf(values))];
}

function namesOf(values: Values): string | undefined {
  return [values.collections, values.collection].find((value): value is string => typeof value === 'string');
}

function asOf(values: Values): string[] {
  return typeof values.as === 'string' ? ['--as', values.as] : [];
}

function withheldOf(values: Values): string[] {
  return Object.entries(SECRET_KEYS).flatMap(([key, flag]) => (values[key] === undefined ? [] : [flag]));
}

/**
 * The command that recreates one target collection from the source with the source's settings
 * (a space, HNSW parameter or schema switch cannot change on an existing collection): a copy
 * that deletes the target's collection first, keeping a backup of the source on the way.
 */
export function recreateLines(values: Values, collection: string): string[] {
  const args = [...flagsOf(values, SOURCE_KEYS), '--collections', collection, ...asOf(values), '--if-exists', 'recreate', '--out', `${collection}.jsonl.gz`, ...flagsOf(values, TARGET_KEYS)];
  return [commandText('copy', args), ...withheldNote(withheldOf(values))];
}

/**
 * The verify that compares the target with the source as it is now, for collections a copy
 * checked against a backup an earlier run read: the same source, names and target. A source
 * from .env (no source flag given) is named by its `database`, so that verify reads the source.
 * 'all': a copy of --all that read every collection it copied.
 */
export function verifySourceLines(values: Values, collections: string[] | 'all', database: string): string[] {
  const source = flagsOf(values, SOURCE_KEYS);
  // Without --collections verify reads every collection of the source: what a copy of --all took.
  const scope = collections === 'all' ? [] : ['--collections', collections.join(',')];
  const args = [...(source.length > 0 ? source : ['--database', database]), ...scope, ...asOf(values), ...flagsOf(values, TARGET_KEYS)];
  return [commandText('verify', args), ...withheldNote(withheldOf(values))];
}
