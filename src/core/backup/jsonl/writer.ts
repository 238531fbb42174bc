/**
 * Writes our backup format, gzip-compressed when the path ends in ".gz" (see wantsGzip).
 *
 * Output is buffered (~1 MiB) and each flush is written before the call that triggered it
 * returns, so a fast producer is held back by the disk (backpressure) and memory stays flat.
 * For gzip, every flush is one complete gzip member: the file is always a concatenation of
 * whole members (which gunzip reads as one stream), so any checkpoint is a clean cut.
 *
 * checkpoint() returns a byte length that open({resumeAtBytes}) accepts later: the file is
 * truncated there and appended to, after reading back the kept part to restore the state.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { constants, gzip as gzipCallback } from 'node:zlib';
import { MigrateError } from '../../util/errors.js';
import { collectionLine, endFileLine, endLine, headerLine, recordLine } from './format.js';
import { isPlainRecord } from './quick-check.js';
import { explainIssues, metadataSchema, rowSchema, spaceSchema } from '../schemas.js';
import type { BackupRecord, CollectionHeader } from '../../model/record.js';
import { scanResumePoint } from './writer-resume.js';
import { CompactIdSet } from '../../util/compact-ids.js';
import { inQuotes } from '../../util/format.js';

const gzipAsync = promisify(gzipCallback);

/** Bytes buffered before a write to disk (and, for .gz, one gzip member). */
const FLUSH_AT = 1 << 20;
/** Room for the line that crosses FLUSH_AT; a longer line is kept aside, in order, for the next flush. */
const SPARE = 256 * 1024;

/**
 * Huffman coding only (no LZ77 matching): nearly all of a backup's bytes are base64 float32
 * embeddings, in which LZ77 finds almost nothing to match, so the match search is CPU spent for
 * little. Measured on 5k 384-d records (11 MB of lines, 1 MB members, load 15): level 1 with
 * memLevel 9 (the setting before) 36–37 ms of CPU per 1,000 records for 70.1% of the plain size,
 * Huffman only 11–12 ms for 75.1% (Z_RLE: 13 ms, 75.1%). In whole runs (bench child, 10k
 * records, three alternating rounds, load 15–21) it took the client CPU per 1,000 records of an
 * export from 163 to 139 ms and of a copy from 357 to 332 ms. Documents of prose compress less
 * this way than with LZ77: the file grows by more than 7% when they are most of its bytes.
 *
 * Each member's output in one chunk (zlib's default is 16 KB: ~70 chunks per member, each a
 * round trip between zlib's thread and ours and a buffer to join): 1.5 MB members of base64
 * lines took 250–350 ms of CPU per 30 MB instead of 450–540 (alternating runs, load 8).
 */
const GZIP = { strategy: constants.Z_HUFFMAN_ONLY, chunkSize: FLUSH_AT + SPARE };

export interface BackupWriterOptions {
  /** A value checkpoint() returned earlier for this file: truncate there and append. */
  resumeAtBytes?: number;
  /** Free-form description of where the data came from. Keys that look like secrets are dropped. */
  source?: Record<string, unknown>;
  /**
   * Compress with gzip. Default: the path ends in ".gz", ignoring a trailing ".partial" or
   * ".tmp" (exports write "backup.jsonl.gz.partial" and rename it when done).
   */
  gzip?: boolean;
}

export function wantsGzip(path: string): boolean {
  return /\.gz(\.partial|\.tmp)?$/i.test(path);
}

interface OpenCollection {
  name: string;
  dimension: number | null;
  written: number;
  /** The count the collection line claims (the source's count when the export began). */
  claimed: number | null;
  /**
   * The ids written so far (a resume reads back those before it), each once and compactly (a
   * million of them are held through a whole export): the export's end check compares them
   * with the source.
   */
  ids: CompactIdSet;
  /** Records written with an id written before (an insert at the source shifted the pages). */
  repeated: number;
}

export class BackupWriter {
  /**
   * Lines are encoded straight into one reused buffer: joining them into a string first, then
   * encoding that, cost a copy of every byte and a fresh megabyte per flush (profiled: the
   * writer's biggest cost in an export).
   */
  private readonly output = Buffer.allocUnsafeSlow(FLUSH_AT + SPARE);
  /** Bytes of `output` in use. */
  private usedBytes = 0;
  /** Lines that did not fit in the spare room (and all after them), encoded, for the next flush. */
  private oversized: Buffer[] = [];
  private oversizedBytes = 0;
  /** Serializes calls, so unawaited calls still reach the file in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private failure: unknown = null;
  private closed = false;
  private synced = false;
  /** sha256 of every byte written, when this writer writes the file from its start (not a resume). */
  private readonly hash: Hash | null;
  /** The collections ended in this file so far, with their counts. */
  private readonly ended: Array<{ name: string; count: number }> = [];
  private whole: WrittenFile | null = null;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly gzip: boolean,
    /** Bytes on disk (everything flushed so far). */
    private position: number,
    private collections: number,
    private current: OpenCollection | null,
    private readonly fresh: boolean,
  ) {
    this.hash = fresh ? createHash('sha256') : null;
  }

  static async open(path: string, options: BackupWriterOptions = {}): Promise<BackupWriter> {
    const { resumeAtBytes } = options;
    if (resumeAtBytes === undefined) {
      const gz = options.gzip ?? wantsGzip(path);
      const handle = await openFile(path, 'w', 0o600).catch((error: unknown) => {
        throw ioError(path, 'create', error);
      });
      const writer = new BackupWriter(path, handle, gz, 0, 0, null, true);
      writer.buffer(headerLine(options.source ?? {}));
      return writer;
    }
    const point = await scanResumePoint(path, resumeAtBytes);
    // Unless told otherwise, carry on in the compression the file already has.
    if (options.gzip !== undefined && point.gzip !== options.gzip) {
      throw new MigrateError(
        'BAD_STATE',
        `Cannot resume ${path}: the file is ${point.gzip ? '' : 'not '}gzip-compressed, but this export ${options.gzip ? 'compresses' : 'does not compress'}`,
        'Start the export again, or keep the same output name as before.',
      );
    }
    const handle = await openFile(path, 'r+').catch((error: unknown) => {
      throw ioError(path, 'open', error);
    });
    try {
      await handle.truncate(resumeAtBytes);
    } catch (error) {
      await handle.close();
      throw ioError(path, 'truncate', error);
    }
    return new BackupWriter(path, handle, point.gzip, resumeAtBytes, point.collections, point.open, false);
  }

  /** The ids of the open collection's records in the file so far, and how many records repeated one. */
  get openIds(): { ids: CompactIdSet; repeated: number } {
    return { ids: this.current?.ids ?? new CompactIdSet(), repeated: this.current?.repeated ?? 0 };
  }

  /** Bytes on disk so far (not counting buffered output). */
  get bytesWritten(): number {
    return this.position;
  }

  writeCollectionHeader(header: CollectionHeader): Promise<void> {
    return this.run(async () => {
      if (this.current !== null) {
        throw misuse(`collection ${inQuotes(header.name)} starts while ${inQuotes(this.current.name)} is still open; call writeCollectionEnd first`);
      }
      const problem = checkHeader(header);
      if (problem) throw new MigrateError('BAD_INPUT', `Cannot write collection ${inQuotes(header.name)}: ${problem}`);
      this.current = { name: header.name, dimension: header.dimension, written: 0, claimed: header.count, ids: new CompactIdSet(header.count ?? 0), repeated: 0 };
      this.collections++;
      await this.write(collectionLine(header));
    });
  }

  writeRecords(records: readonly BackupRecord[]): Promise<void> {
    return this.run(async () => {
      const current = this.current;
      if (current === null) throw misuse('records written outside a collection; call writeCollectionHeader first');
      // Check the whole batch before buffering any of it: a rejected batch leaves no trace.
      let dimension = current.dimension;
      for (const record of records) dimension = checkRecord(record, current.name, dimension);
      current.dimension = dimension;
      for (const record of records) {
        if (!current.ids.add(record.id)) current.repeated++;
        this.buffer(recordLine(record));
        if (this.pendingBytes >= FLUSH_AT) await this.flush();
      }
      current.written += records.length;
    });
  }

  writeCollectionEnd(name: string, count: number): Promise<void> {
    return this.run(async () => {
      const current = this.current;
      if (current === null || current.name !== name) throw misuse(`writeCollectionEnd(${inQuotes(name)}) but the open collection is ${current ? inQuotes(current.name) : 'none'}`);
      if (count !== current.written) {
        throw misuse(`collection ${inQuotes(name)} ends with count ${count}, but ${current.written} records were written to the file`);
      }
      this.current = null;
      this.ended.push({ name, count });
      // A source that changed while it was read holds another count than it did at the start:
      // said so here, so a reader can tell that from a damaged file.
      await this.write(endLine(name, count, current.claimed !== null && current.claimed !== count));
    });
  }

  /** Flushes everything to disk, fsyncs, and returns the file length: a valid resumeAtBytes. */
  checkpoint(): Promise<number> {
    return this.run(() => this.sync());
  }

  /** Writes the end-file line, syncs and closes. Returns the final size in bytes. */
  finish(): Promise<number> {
    return this.run(async () => {
      if (this.current !== null) throw misuse(`finish() while collection ${inQuotes(this.current.name)} is open; call writeCollectionEnd first`);
      this.buffer(endFileLine(this.collections));
      const size = await this.sync();
      await this.close();
      if (this.hash) this.whole = { sha256: this.hash.digest('hex'), bytes: size, collections: this.ended };
      return size;
    });
  }

  /**
   * The finished file as this writer wrote it, every byte from the first: its sha256, its length
   * and the collections ended in it. Null before finish, and for a resumed file (its start was
   * written by another run).
   */
  get written(): WrittenFile | null {
    return this.whole;
  }

  /** Closes without the end-file line; output after the last checkpoint is dropped. */
  async abort(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.clear();
    await this.close();
  }

  private run<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (this.closed) throw misuse('the backup writer is closed');
      if (this.failure !== null) throw this.failure;
      return step().catch((error: unknown) => {
        // Input mistakes leave the file intact; I/O failures leave it unknown, so stop.
        if (!(error instanceof MigrateError && (error.code === 'BAD_INPUT' || error.code === 'BAD_STATE'))) this.failure = error;
        throw error;
      });
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private get pendingBytes(): number {
    return this.usedBytes + this.oversizedBytes;
  }

  private buffer(text: string): void {
    // A UTF-16 code unit becomes at most 3 bytes of UTF-8: only then is the room certain.
    if (this.oversized.length === 0 && this.usedBytes + text.length * 3 <= this.output.length) {
      this.usedBytes += this.output.write(text, this.usedBytes, 'utf8');
    } else {
      const bytes = Buffer.from(text, 'utf8');
      this.oversized.push(bytes);
      this.oversizedBytes += bytes.length;
    }
  }

  private clear(): void {
    this.usedBytes = 0;
    this.oversized = [];
    this.oversizedBytes = 0;
  }

  private async write(text: string): Promise<void> {
    this.buffer(text);
    if (this.pendingBytes >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const inBuffer = this.output.subarray(0, this.usedBytes);
    // The oversized lines come after everything in the buffer (buffer() keeps it so).
    const text = this.oversized.length === 0 ? inBuffer : Buffer.concat([inBuffer, ...this.oversized]);
    this.clear();
    const bytes = this.gzip ? await gzipAsync(text, GZIP) : text;
    let done = 0;
    try {
      while (done < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.position + done);
        done += bytesWritten;
      }
    } catch (error) {
      throw ioError(this.path, 'write', error);
    }
    this.position += bytes.length;
    this.hash?.update(bytes);
  }

  private async sync(): Promise<number> {
    await this.flush();
    try {
      await this.handle.sync();
      if (this.fresh && !this.synced) await syncDirectory(dirname(this.path));
    } catch (error) {
      throw ioError(this.path, 'sync', error);
    }
    this.synced = true;
    return this.position;
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** A file as its writer wrote it (BackupWriter.written). */
export interface WrittenFile {
  sha256: string;
  bytes: number;
  collections: Array<{ name: string; count: number }>;
}

/**
 * Whether the file at `path` holds exactly the bytes its writer wrote: the same length and sha256.
 * Reading the file back this way checks every byte on disk for ~5% of the CPU of parsing it again
 * (a 20k-record backup, 33 MB: 20 ms of hashing against 420–570 ms to gunzip, split, parse and
 * validate every line), and the lines themselves were checked by the writer's schema before
 * they were written.
 */
export async function holdsWhatWasWritten(path: string, written: WrittenFile, signal?: AbortSignal): Promise<boolean> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { signal, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    hash.update(chunk);
  }
  return bytes === written.bytes && hash.digest('hex') === written.sha256;
}

/** A new file's directory entry must survive a crash too, or the checkpoint points at nothing. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await openFile(dir, 'r').catch(() => null);
  if (handle === null) return;
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the data itself is synced.
  } finally {
    await handle.close();
  }
}

function checkHeader(h: CollectionHeader): string | null {
  if (typeof h.name !== 'string' || h.name === '') return 'the name must be a non-empty string';
  const metadata = metadataSchema.safeParse(h.metadata);
  if (!metadata.success) return explainIssues(metadata.error, h.metadata, 'metadata');
  if (!spaceSchema.safeParse(h.space).success) return 'space must be "l2", "cosine", "ip" or null';
  if (!Number.isInteger(h.count) || h.count < 0) return 'count must be a whole number ≥ 0';
  if (h.dimension !== null && (!Number.isInteger(h.dimension) || h.dimension < 1)) return 'dimension must be a whole number ≥ 1 or null';
  return null;
}

/** Never write what the reader would reject: the same schema guards both ends. */
function checkRecord(record: BackupRecord, collection: string, dimension: number | null): number | null {
  const fail = (why: string): MigrateError =>
    new MigrateError('BAD_INPUT', `Cannot back up record ${inQuotes(String(record.id))} of collection ${inQuotes(collection)}: ${why}`);
  if (!isPlainRecord(record)) {
    // The schema and its messages speak of number arrays; float32 ones hold the same numbers.
    const plain = record.embedding instanceof Float32Array ? { ...record, embedding: Array.from(record.embedding) } : record;
    const result = rowSchema.safeParse(plain);
    // The schema also refuses a value beyond float32's range (it would become Infinity on disk).
    if (!result.success) throw fail(explainIssues(result.error, plain));
  }
  const embedding = record.embedding ?? null;
  if (embedding === null) return dimension;
  if (dimension !== null && embedding.length !== dimension) {
    throw fail(`embedding has ${embedding.length} numbers, but the collection's dimension is ${dimension}`);
  }
  return embedding.length;
}

function misuse(message: string): MigrateError {
  return new MigrateError('BAD_STATE', `Backup writer: ${message}`);
}

function ioError(path: string, action: string, error: unknown): MigrateError {
  const code = (error as { code?: unknown } | null)?.code;
  const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EFBIG' ? 'the file reached the size limit (ulimit -f, or the file system\'s largest file)' : code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'no such file or folder' : String((error as Error)?.message ?? error);
  return new MigrateError('IO', `Cannot ${action} the backup ${path}: ${why}`, 'Check free disk space and permissions, then resume.', { cause: error });
}
