/**
 * One place that words "this file is not a usable backup", so every reader says it the same way
 * and never lets a raw SyntaxError or zlib error reach the user.
 */
import { MigrateError } from '../util/errors.js';

const ACCEPTED_SHAPES =
  'a chroma-migrate backup (.jsonl or .jsonl.gz), or a JSON export (optionally .gz) shaped as ' +
  '{"records": [{"id", "document", "metadata", "embedding"}, ...]} (row-wise), ' +
  '{"ids": [...], "documents": [...], "metadatas": [...], "embeddings": [...]} (column-wise, like collection.get()), ' +
  'or {"collections": [{"name", "metadata", "records" or "ids"...}, ...]} (several collections)';

const FIX_DAMAGED =
  'The backup is damaged or incomplete. Export the collection again (an interrupted chroma-migrate export can be resumed), or choose another file.';

export function badBackup(message: string, fix: string = FIX_DAMAGED, cause?: unknown): MigrateError {
  return new MigrateError('BAD_BACKUP', message, fix, cause === undefined ? undefined : { cause });
}

export function notABackup(label: string, what: string): MigrateError {
  return badBackup(`${label} is not a backup this tool can read: ${what}. Accepted: ${ACCEPTED_SHAPES}.`, 'Choose a backup file in one of the accepted shapes.');
}

/** Shown for a file that simply stops: a crash or a full disk during export, or a partial copy. */
export const TRUNCATED = 'the file is truncated';

/** Describes a byte in "got ..." phrases without dumping binary garbage into a message. */
export function describeByte(c: number | undefined): string {
  if (c === undefined) return 'end of file';
  if (c >= 0x21 && c <= 0x7e) return `"${String.fromCharCode(c)}"`;
  if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return 'whitespace';
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** Turns a JSON.parse failure into words, keeping V8's detail but never its class name. */
export function describeJsonError(error: unknown, raw: string): string {
  if (/\bNaN\b|\bInfinity\b/.test(raw)) return 'it contains NaN or Infinity, which JSON and Chroma do not allow';
  const detail = (error instanceof Error ? error.message : String(error))
    .replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, '')
    .replace(/\s+/g, ' ');
  return `it is not valid JSON (${detail.length > 160 ? detail.slice(0, 160) + '…' : detail})`;
}
