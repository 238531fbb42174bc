/**
 * Tells our line format from a JSON export by the first bytes, and rejects anything else
 * before a parser gets to produce a confusing message about it.
 */
import { badBackup, describeByte, notABackup } from './bad-backup.js';
import { readChunks, type ByteSource } from './byte-source.js';

export type Family = 'own' | 'json';

/** Enough to hold our header line (which is short) or the start of any JSON document. */
const PEEK = 1 << 16;
const OWN_HEADER = /^\s*\{\s*"format"\s*:\s*"chroma-migrate-backup"/;

export async function sniff(source: ByteSource): Promise<Family> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of readChunks(source)) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= PEEK) break;
  }
  const head = Buffer.concat(parts).subarray(0, PEEK);
  let start = 0;
  while (start < head.length && (head[start] === 0x20 || head[start] === 0x0a || head[start] === 0x0d || head[start] === 0x09)) start++;
  if (start === head.length) throw badBackup(`${source.label} is empty`);
  const utf16 = utf16Kind(head);
  if (utf16) {
    throw notABackup(
      source.label,
      `it is text in ${utf16} (PowerShell's > and Out-File write that), and a backup is UTF-8 — convert it first, e.g. iconv -f UTF-16 -t UTF-8 '${source.label}' > backup-utf8.json`,
    );
  }
  if (head[start] !== 0x7b) {
    const looksBinary = head.subarray(0, 512).some((c) => c === 0);
    throw notABackup(source.label, looksBinary ? 'it is a binary file, not JSON' : `it does not start with a JSON object (first character ${describeByte(head[start])})`);
  }
  return OWN_HEADER.test(head.toString('utf8', start, Math.min(head.length, start + 256))) ? 'own' : 'json';
}

/** UTF-16 by its byte-order mark, or without one by the zero byte beside each ASCII "{" and quote. */
function utf16Kind(head: Buffer): string | null {
  if (head[0] === 0xff && head[1] === 0xfe) return 'UTF-16 (little-endian)';
  if (head[0] === 0xfe && head[1] === 0xff) return 'UTF-16 (big-endian)';
  if (head.length >= 4 && head[0] === 0x7b && head[1] === 0x00 && head[2] !== 0x00 && head[3] === 0x00) return 'UTF-16 (little-endian)';
  if (head.length >= 4 && head[0] === 0x00 && head[1] === 0x7b && head[2] === 0x00) return 'UTF-16 (big-endian)';
  return null;
}
