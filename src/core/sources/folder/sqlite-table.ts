/**
 * The rows of one table of an SQLite file, read from its pages: what a data folder holds that no
 * route of the server lists (its tenants). Node 20 has no SQLite and the project takes no native
 * module for this, so the file format (sqlite.org/fileformat2.html) is read directly: the schema
 * table on page 1 names the table's root page, whose b-tree is walked to its leaves; a value too
 * long for its page continues on overflow pages. Read only, page by page: the file may be large.
 * What is committed to the main file is read; a -wal file's newest changes are not.
 */
import { open, type FileHandle } from 'node:fs/promises';

export type SqliteValue = string | number | bigint | Buffer | null;

const LEAF_TABLE = 0x0d;
const INTERIOR_TABLE = 0x05;

interface Pages {
  handle: FileHandle;
  size: number;
  usable: number;
}

export async function readTable(file: string, table: string): Promise<SqliteValue[][] | null> {
  const handle = await open(file, 'r');
  try {
    const head = await read(handle, 0, 100);
    if (head.toString('latin1', 0, 16) !== 'SQLite format 3\0' || head.readUInt32BE(56) > 1) return null;
    const size = head.readUInt16BE(16) === 1 ? 65_536 : head.readUInt16BE(16);
    const pages: Pages = { handle, size, usable: size - head[20]! };
    const schema = await rowsFrom(pages, 1);
    const entry = schema.find((row) => row[0] === 'table' && row[1] === table);
    return typeof entry?.[3] === 'number' ? await rowsFrom(pages, entry[3]) : null;
  } finally {
    await handle.close();
  }
}

async function read(handle: FileHandle, at: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, at);
  if (bytesRead !== length) throw new Error('the SQLite file ends early');
  return buffer;
}

/** Every row of the table b-tree rooted at `root`, in rowid order. */
async function rowsFrom(pages: Pages, root: number, depth = 0): Promise<SqliteValue[][]> {
  if (depth > 20) throw new Error('the SQLite b-tree is deeper than any real one');
  const page = await read(pages.handle, (root - 1) * pages.size, pages.size);
  const start = root === 1 ? 100 : 0;
  const type = page[start];
  const cells = page.readUInt16BE(start + 3);
  const header = type === INTERIOR_TABLE ? 12 : 8;
  const rows: SqliteValue[][] = [];
  for (let index = 0; index < cells; index++) {
    const at = page.readUInt16BE(start + header + index * 2);
    if (type === INTERIOR_TABLE) rows.push(...(await rowsFrom(pages, page.readUInt32BE(at), depth + 1)));
    else if (type === LEAF_TABLE) rows.push(decodeRecord(await payloadAt(pages, page, at)));
    else throw new Error(`page ${root} is not a table page`);
  }
  if (type === INTERIOR_TABLE) rows.push(...(await rowsFrom(pages, page.readUInt32BE(start + 8), depth + 1)));
  return rows;
}

/** A leaf cell's record: its bytes on the page, and on its overflow pages when it does not fit. */
async function payloadAt(pages: Pages, page: Buffer, at: number): Promise<Buffer> {
  const [length, afterLength] = varint(page, at);
  const [, body] = varint(page, afterLength);
  const total = Number(length);
  const most = pages.usable - 35;
  if (total <= most) return page.subarray(body, body + total);
  const least = Math.floor(((pages.usable - 12) * 32) / 255) - 23;
  const spill = least + ((total - least) % (pages.usable - 4));
  const local = spill <= most ? spill : least;
  const parts = [page.subarray(body, body + local)];
  let next = page.readUInt32BE(body + local);
  for (let left = total - local; left > 0 && next !== 0; ) {
    const overflow = await read(pages.handle, (next - 1) * pages.size, pages.size);
    const take = Math.min(left, pages.usable - 4);
    parts.push(overflow.subarray(4, 4 + take));
    left -= take;
    next = overflow.readUInt32BE(0);
  }
  return Buffer.concat(parts);
}

function varint(bytes: Buffer, at: number): [bigint, number] {
  let value = 0n;
  for (let index = 0; index < 8; index++) {
    const byte = bytes[at + index]!;
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (byte < 0x80) return [value, at + index + 1];
  }
  return [(value << 8n) | BigInt(bytes[at + 8]!), at + 9];
}

function decodeRecord(record: Buffer): SqliteValue[] {
  const [headerLength, first] = varint(record, 0);
  const types: number[] = [];
  for (let at = first; at < Number(headerLength); ) {
    const [type, next] = varint(record, at);
    types.push(Number(type));
    at = next;
  }
  const values: SqliteValue[] = [];
  let at = Number(headerLength);
  for (const type of types) {
    const [value, length] = decodeValue(record, at, type);
    values.push(value);
    at += length;
  }
  return values;
}

const INT_BYTES = [0, 1, 2, 3, 4, 6, 8];

function decodeValue(record: Buffer, at: number, type: number): [SqliteValue, number] {
  if (type === 0) return [null, 0];
  if (type >= 1 && type <= 6) {
    const length = INT_BYTES[type]!;
    const value = length === 8 ? record.readBigInt64BE(at) : BigInt(record.readIntBE(at, length));
    return [value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value, length];
  }
  if (type === 7) return [record.readDoubleBE(at), 8];
  if (type === 8 || type === 9) return [type - 8, 0];
  if (type >= 12) {
    const length = Math.floor((type - 12) / 2);
    const bytes = record.subarray(at, at + length);
    return [type % 2 === 1 ? bytes.toString('utf8') : Buffer.from(bytes), length];
  }
  throw new Error(`serial type ${type} is reserved`);
}
