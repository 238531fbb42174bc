/**
 * Opens a backup as a stream of bytes: gunzips when the file starts with the gzip magic (so a
 * misnamed file still reads), strips a UTF-8 BOM, stops on abort, and turns fs/zlib failures
 * into MigrateErrors. Chunks are 64 KiB, so memory stays flat whatever the file size.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MigrateError } from '../util/errors.js';
import { badBackup, TRUNCATED } from './bad-backup.js';

const CHUNK = 1 << 16;

export interface ByteSource {
  path: string;
  /** File name used in messages, e.g. "backup.jsonl.gz". */
  label: string;
  gzip: boolean;
  /** Size on disk. */
  bytes: number;
  /** Length of the UTF-8 BOM a plain file starts with (0 or 3); unknown (0) for gzip. */
  bom: number;
  signal: AbortSignal | undefined;
}

export async function openSource(path: string, signal?: AbortSignal): Promise<ByteSource> {
  throwIfAborted(signal, path);
  await refuseSpecialFile(path);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw ioError(path, error);
  }
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(3);
    const { bytesRead } = await handle.read(head, 0, 3, 0);
    // Trust the bytes, not the name: a plain file called .gz (or the reverse) still reads.
    const gzip = bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    const bom = !gzip && bytesRead === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    return { path, label: basename(path), gzip, bytes: size, bom, signal };
  } catch (error) {
    throw ioError(path, error); // e.g. EISDIR: opening a folder succeeds, reading it does not
  } finally {
    await handle.close();
  }
}

/**
 * Streams the (decompressed) bytes. Breaking out of the loop closes the file.
 * `limit` reads only the first `limit` bytes on disk (the writer's resume check uses it).
 * `from` starts at that offset of the decompressed text (after any BOM): a plain file is read
 * from there, a gzip file is decompressed from its start and the bytes before are dropped.
 */
export async function* readChunks(source: ByteSource, limit?: number, from = 0): AsyncGenerator<Buffer> {
  const { signal } = source;
  throwIfAborted(signal, source.path);
  if (limit === 0) return;
  if (from > 0 && !source.gzip) {
    yield* readPlainFrom(source, from + source.bom);
    return;
  }
  let drop = from;
  const file = createReadStream(source.path, { highWaterMark: CHUNK, ...(limit === undefined ? {} : { end: limit - 1 }) });
  let stream: Readable = file;
  if (source.gzip) {
    const gunzip = createGunzip({ chunkSize: CHUNK });
    // pipe() does not forward errors; a read error must still end the gunzip iteration.
    file.on('error', (error) => gunzip.destroy(error));
    stream = file.pipe(gunzip);
  }
  const onAbort = (): void => void stream.destroy(interrupted(source.path));
  signal?.addEventListener('abort', onAbort, { once: true });
  // Bytes held back until we know whether the file starts with a BOM; null once decided.
  let head: Buffer | null = Buffer.alloc(0);
  // After the BOM check: drops what comes before `from`.
  const skipped = (chunk: Buffer): Buffer => {
    if (drop === 0) return chunk;
    const cut = Math.min(drop, chunk.length);
    drop -= cut;
    return chunk.subarray(cut);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (head === null) {
        const rest = skipped(chunk);
        if (rest.length > 0) yield rest;
        continue;
      }
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (head.length < 3) continue;
      const first = skipped(head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head);
      head = null;
      if (first.length > 0) yield first;
    }
    if (head !== null && skipped(head).length > 0) yield skipped(head);
  } catch (error) {
    throw translate(source, error);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    file.destroy();
    stream.destroy();
  }
  throwIfAborted(signal, source.path);
}

/** A plain file from a byte offset on disk. */
async function* readPlainFrom(source: ByteSource, start: number): AsyncGenerator<Buffer> {
  const { signal } = source;
  const file = createReadStream(source.path, { highWaterMark: CHUNK, start });
  const onAbort = (): void => void file.destroy(interrupted(source.path));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    throw translate(source, error);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    file.destroy();
  }
  throwIfAborted(signal, source.path);
}

function translate(source: ByteSource, error: unknown): unknown {
  if (error instanceof MigrateError) return error;
  if (source.signal?.aborted) return interrupted(source.path);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    const ended = code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(String((error as Error).message));
    return badBackup(
      ended ? `${source.label}: the gzip data ends early — ${TRUNCATED}` : `${source.label}: the gzip data is corrupt (${(error as Error).message})`,
      undefined,
      error,
    );
  }
  return ioError(source.path, error);
}

/**
 * Checked before opening: opening a named pipe waits for a writer (a hang at "Checking…"), and
 * a backup is read more than once (checked whole, then written), which a pipe or a device
 * cannot give. Anything else that is no regular file gets its own words.
 */
async function refuseSpecialFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw ioError(path, error);
  }
  if (info.isFile() || info.isDirectory()) return; // a folder: the open/read below explains it
  const what = info.isFIFO() ? 'a named pipe (FIFO)' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : info.isSocket() ? 'a socket' : 'not a regular file';
  throw new MigrateError(
    'BAD_INPUT',
    `${path} is ${what}, not a backup file.`,
    'chroma-migrate reads a backup twice (checks it whole, then writes it), so it needs a regular file: save the stream to a file first (e.g. cat … > backup.jsonl.gz) and pass that.',
  );
}

function ioError(path: string, error: unknown): MigrateError {
  const code = (error as { code?: unknown } | null)?.code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String((error as Error)?.message ?? error);
  return new MigrateError('IO', `Cannot read the backup ${path}: ${why}`, 'Check the path and that you can read the file.', { cause: error });
}

function interrupted(path: string): MigrateError {
  return new MigrateError('INTERRUPTED', `Stopped reading ${basename(path)}: interrupted.`, 'Run the same command again to continue.');
}

function throwIfAborted(signal: AbortSignal | undefined, path: string): void {
  if (signal?.aborted) throw interrupted(path);
}
