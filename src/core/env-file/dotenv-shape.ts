import { splitLines } from './lines.js';
import { locateEntries } from './locate.js';

/** Control characters no text editor puts in a .env: their presence means a binary file (a gzip, an image). */
const BINARY = /[\x00-\x08\x0e-\x1f\x7f]/;

/**
 * Why `bytes` is not a .env file, or null when it is one: UTF-8 text whose every line is part of a
 * KEY=value entry (as dotenv reads them, multi-line values included), a comment or blank. Checked
 * before a file is put in place of the app's .env: a gzip or /etc/passwd there breaks the app.
 */
export function notDotenvReason(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  if (BINARY.test(text)) return 'it holds binary bytes, as a compressed file does';
  if (!Buffer.from(text, 'utf8').equals(bytes)) return 'it is not UTF-8 text';
  const lines = splitLines(text);
  const covered = new Set(locateEntries(lines).flatMap((entry) => Array.from({ length: entry.endLine - entry.startLine + 1 }, (_, index) => entry.startLine + index)));
  const stray = lines.findIndex((line, index) => !covered.has(index) && line.text.trim() !== '' && !line.text.trimStart().startsWith('#'));
  return stray < 0 ? null : `line ${stray + 1} is not KEY=value, a comment or blank`;
}
