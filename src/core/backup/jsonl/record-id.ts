/**
 * The id of one of our record lines, read from its first bytes without parsing the rest: a check
 * that needs only a collection's ids (which of them a backup holds) skips decoding every
 * embedding and metadata. The writer puts "id" right after "type" (format.ts), so the id is the
 * JSON string at a fixed place; any other line says null and is read the ordinary way.
 */
import { isUtf8 } from 'node:buffer';

const ID_PREFIX = Buffer.from('{"type":"record","id":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function recordLineId(line: Buffer): string | null {
  if (line.length <= ID_PREFIX.length || line.compare(ID_PREFIX, 0, ID_PREFIX.length, 0, ID_PREFIX.length) !== 0) return null;
  const start = ID_PREFIX.length;
  let escaped = false;
  for (let at = start; at < line.length; at++) {
    const byte = line[at];
    if (byte === BACKSLASH) {
      escaped = true;
      at++; // the escaped byte cannot end the string
      continue;
    }
    if (byte !== QUOTE) continue;
    // A string's end must be followed by the next key, as the writer puts it.
    if (line[at + 1] !== 0x2c || at === start) return null;
    const raw = line.subarray(start, at);
    // Bytes that are not UTF-8 would turn into U+FFFD silently: the ordinary read refuses them.
    if (!isUtf8(raw)) return null;
    if (!escaped) return raw.toString('utf8');
    try {
      return JSON.parse(line.subarray(start - 1, at + 1).toString('utf8')) as string;
    } catch {
      return null;
    }
  }
  return null;
}
