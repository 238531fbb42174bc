import { MigrateError } from '../util/errors.js';

export interface ParsedUrl {
  /** scheme://host:port, no path */
  url: string;
  host: string;
  port: number;
  ssl: boolean;
  /** What we changed and why, in words, for the user to see. */
  notes: string[];
}

/**
 * Accepts what users paste: a bare host, host:port, or a full URL with a path.
 * Railway's public domains only answer HTTPS on 443 (the edge forwards to the service's port),
 * so ":8000" or "http://" there is corrected rather than left to time out.
 */
export function parseChromaUrl(input: string): ParsedUrl {
  const raw = input.trim();
  if (raw === '') throw new MigrateError('BAD_INPUT', 'The server URL is empty.', 'Pass --url https://your-host (or host:port).');
  const notes: string[] = [];
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  let parsed: URL;
  try {
    parsed = new URL(hasScheme ? raw : `${guessScheme(raw)}://${raw}`);
  } catch {
    throw new MigrateError('BAD_INPUT', `"${raw}" is not a URL or host name.`, 'Use a form like https://chroma.example.com, chroma.example.com:8000 or localhost:8000.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MigrateError('BAD_INPUT', `"${raw}" uses ${parsed.protocol.replace(':', '')}://; Chroma speaks http or https.`, 'Use http:// or https://.');
  }
  if (parsed.username || parsed.password) {
    notes.push('Left out the user name and password in the URL: chroma-migrate sends a token (--token or CHROMA_AUTH_TOKEN), never a URL\'s credentials, and keeps no secret.');
  }
  if (parsed.pathname !== '/' || parsed.search || parsed.hash) {
    // A query often carries a key (?api_key=…): its values are never printed.
    notes.push(`Dropped the path "${parsed.pathname}${maskedQuery(parsed.search, parsed.hash)}" — the client adds /api/v2 itself.`);
  }
  let ssl = parsed.protocol === 'https:';
  let port = parsed.port ? Number(parsed.port) : ssl ? 443 : hasScheme ? 80 : 8000;
  if (parsed.hostname.endsWith('.up.railway.app') && (!ssl || port !== 443)) {
    notes.push(`Railway public domains answer on HTTPS port 443 only; using https://${parsed.hostname}:443 instead of ${parsed.protocol}//${parsed.hostname}:${port}.`);
    ssl = true;
    port = 443;
  }
  const host = parsed.hostname;
  return { url: `${ssl ? 'https' : 'http'}://${host}:${port}`, host, port, ssl, notes };
}

/**
 * A URL's query and fragment as they may be shown or saved: every value "…", the names kept
 * (`?api-version=…&key=…`). A query often carries a key (`?token=…`), and a bare `?SECRET` or
 * `#SECRET` is a value too.
 */
export function maskedQuery(search: string, hash = ''): string {
  const parts = search.replace(/^\?/, '').split('&').map((part) => (part === '' ? '' : part.includes('=') ? `${part.slice(0, part.indexOf('='))}=…` : '…'));
  return `${search.length > 1 ? `?${parts.join('&')}` : ''}${hash.length > 1 ? '#…' : ''}`;
}

/**
 * A word that is (or ends in, as `--url=…`) a URL, its query and fragment masked (maskedQuery);
 * any other word as it is.
 */
export function withMaskedQuery(word: string): string {
  const at = word.search(/[?#]/);
  if (at < 0) return word;
  const hashAt = word.indexOf('#', at);
  const search = hashAt < 0 ? word.slice(at) : word.slice(at, hashAt);
  return `${word.slice(0, at)}${maskedQuery(search, hashAt < 0 ? '' : word.slice(hashAt))}`;
}

/** Without a scheme: local and private hosts are usually plain HTTP, public names HTTPS. */
function guessScheme(raw: string): 'http' | 'https' {
  const host = raw.split(/[/:]/)[0] ?? '';
  if (host === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(host) || !host.includes('.')) return 'http';
  if (/:\d+/.test(raw) && !/:443\b/.test(raw)) return 'http';
  return 'https';
}

export function urlFromParts(host: string, port: number | undefined, ssl: boolean | undefined): ParsedUrl {
  if (/^[a-z]+:\/\//i.test(host)) return parseChromaUrl(host);
  const useSsl = ssl ?? port === 443;
  return parseChromaUrl(`${useSsl ? 'https' : 'http'}://${host}:${port ?? (useSsl ? 443 : 8000)}`);
}

/**
 * The address requests went to, as a rejects line records it and verify compares it: scheme,
 * host and port (the scheme's default written out, so `https://h` and `https://h:443` are one
 * address), then the path without trailing slashes. Never a user:password (a secret, and no part
 * of where the request went), a query or a fragment. Null for what is not an http(s) URL.
 */
export function addressOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  return `${parsed.protocol}//${parsed.hostname}:${port}${parsed.pathname.replace(/\/+$/, '')}`;
}
