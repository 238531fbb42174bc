import { commandText, withheldNote } from './resume-command.js';

type Values = Record<string, unknown>;

/** Flags that say where the target is and how to read it, carried from one command into another. */
const TARGET_KEYS = ['url', 'host', 'port', 'ssl', 'token-header', 'insecure', 'target-database', 'env-file', 'state'];
const SOURCE_KEYS = ['source-url', 'source-path', 'tenant', 'database'];
const SECRET_KEYS: Record<string, string> = { token: '--token', 'api-key': '--api-key', 'source-token': '--source-token' };

function flagsOf(values: Values, keys: string[]): string[] {
  return keys.flatMap((key) => {
    const value = values[key];
    const flag = `--${key === 'env-file' ? 'dotenv' : key}`;
    return value === true ? [flag] : typeof value === 'string' ? [flag, value] : [];
  });
}

/**
 * The command that sends the records a verify found missing, with the same collections, name
 * and target as the command that found them: an import of the backup (appending), or, when
 * the reference was the live source, a sync from it. Lines to print, the command first.
 */
export function sendAgainLines(values: Values, backup: string | undefined): string[] {
  const names = [values.collections, values.collection].find((value): value is string => typeof value === 'string');
  const as = typeof values.as === 'string' ? ['--as', values.as] : [];
  const args = backup !== undefined
    ? ['--input', backup, ...(names ? ['--collection', names] : []), ...as, ...flagsOf(values, TARGET_KEYS), '--if-exists', 'append']
    : [...flagsOf(values, SOURCE_KEYS), ...(names ? ['--collections', names] : ['--all']), ...as, ...flagsOf(values, TARGET_KEYS)];
  const withheld = Object.entries(SECRET_KEYS).flatMap(([key, flag]) => (values[key] === undefined ? [] : [flag]));
  return [commandText(backup !== undefined ? 'import' : 'sync', args), ...withheldNote(withheld)];
}
