import { maskSecret } from '../chroma/endpoint.js';

/** One key whose value differs; undefined means absent on that side. */
export interface EnvChange {
  key: string;
  before: string | undefined;
  after: string | undefined;
}

/** Keys in file order (old keys first, then new ones), only those that differ. */
export function diffEnv(before: Record<string, string>, after: Record<string, string>): EnvChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.filter((key) => before[key] !== after[key]).map((key) => ({ key, before: before[key], after: after[key] }));
}

/** Values safe to print: where the app connects, never how it authenticates. */
const VISIBLE = new Set(['CHROMA_HOST', 'CHROMA_PORT', 'CHROMA_SSL', 'CHROMA_TENANT', 'CHROMA_DATABASE', 'CHROMA_AUTH_TOKEN_TRANSPORT_HEADER', 'CHROMA_HOST_TENANT', 'CHROMA_HOST_DATABASE']);
const SECRET = /(TOKEN|API_KEY|SECRET|PASSWORD|CREDENTIALS?)$/i;

/**
 * How a value may appear on screen. Known secrets are masked; values of keys we know nothing
 * about (DATABASE_URL with a password in it, say) are not shown at all.
 */
function displayValue(key: string, value: string): string | undefined {
  if (SECRET.test(key)) return maskSecret(value);
  if (!VISIBLE.has(key)) return undefined;
  // A host pasted as a URL may carry a password.
  const safe = value.replace(/\/\/([^/:@\s]*):[^@\s/]*@/, '//$1:•••@');
  return /^[\x21-\x7e•]+$/.test(safe) && !safe.startsWith('"') ? safe : JSON.stringify(safe);
}

/** A few `- KEY=old` / `+ KEY=new` lines, like a diff, with secrets masked. */
export function formatEnvChanges(changes: readonly EnvChange[], options: { commented?: boolean } = {}): string[] {
  return changes.flatMap(({ key, before, after }) => {
    const lines: string[] = [];
    if (before !== undefined) {
      const shown = displayValue(key, before);
      const note = after === undefined && options.commented ? '  (kept as a comment)' : '';
      lines.push(shown === undefined ? `- ${key}  (value not shown)${note}` : `- ${key}=${shown}${note}`);
    }
    if (after !== undefined) {
      const shown = displayValue(key, after);
      lines.push(shown === undefined ? `+ ${key}  (value not shown)` : `+ ${key}=${shown}`);
    }
    return lines;
  });
}
