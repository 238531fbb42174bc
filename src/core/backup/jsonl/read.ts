/**
 * Reads our own line-delimited format. One state machine serves both jobs:
 * - inspect: validate every line, count and check each collection;
 * - read: yield one collection's records, skipping other lines by their prefix without
 *   parsing them (cheap skip), and stop at that collection's "end" line;
 * - read several: yield the records of a set of collections in one pass, each tagged with its
 *   collection (a copy's closing checks read the whole file once, not once per collection).
 */
import { isUtf8 } from 'node:buffer';
import { MigrateError } from '../../util/errors.js';
import { badBackup, describeJsonError, TRUNCATED } from '../bad-backup.js';
import { CollectionCheck } from '../../model/collection-check.js';
import { decodeEmbedding, embeddingLength } from '../../model/float32.js';
import { LineSplitter } from './lines.js';
import { isPlainRecordLine } from './quick-check.js';
import { recordLineId } from './record-id.js';
import {
  collectionLineSchema,
  endFileLineSchema,
  endLineSchema,
  explainIssues,
  FORMAT_NAME,
  FORMAT_VERSION,
  headerLineSchema,
  READABLE_VERSIONS,
  recordLineSchema,
} from '../schemas.js';
import { mayLoseNumbers, parseTyped } from '../../model/typed-json.js';
import type { BackupRecord, CollectionHeader, Metadata } from '../../model/record.js';
import type * as z from 'zod/mini';
import { inQuotes } from '../../util/format.js';

const METADATA_KEY = '"metadata":';

/** Our writer always starts record lines with exactly these bytes. */
const RECORD_PREFIX = Buffer.from('{"type":"record",');

type Phase = 'header' | 'between' | 'in-collection' | 'ended';

/**
 * One collection, from its record `skip` on (`idsOnly`: only their ids, into `outIds`); or every
 * record of several collections. In a file holding several databases (format 4), `database` says
 * whose collections of those names.
 */
export type OwnReadTarget = { name: string; database?: string; skip: number; idsOnly?: boolean } | { names: ReadonlySet<string>; database?: string };

/** A collection's identity in a file: its name, and its database where the file holds several. */
export function collectionKey(header: { name: string; database?: string }): string {
  return header.database === undefined ? header.name : `${header.database}/${header.name}`;
}

export class OwnFormatReader {
  readonly collections: CollectionHeader[] = [];
  createdAt: string | null = null;
  /** The format version the header names (1 could not tell whole floats from ints). */
  version = FORMAT_VERSION;
  /** Records ready for the consumer (read mode). */
  out: BackupRecord[] = [];
  /** Ids ready for the consumer (read mode, ids only). */
  outIds: string[] = [];
  /** Reading several: the collection of each record in `out`, index for index. */
  outNames: string[] = [];
  found = false;
  /** Reading several: the ones the file holds. */
  readonly foundNames = new Set<string>();
  /** Ids seen more than once by hash, per collection (inspect mode); see id-set.ts. */
  readonly suspects = new Map<string, Set<string>>();

  private readonly splitter = new LineSplitter((line, no, terminated) => this.onLine(line, no, terminated));
  private phase: Phase = 'header';
  private current: { header: CollectionHeader; check: CollectionCheck | null; seen: number; target: boolean } | null = null;
  private readonly names = new Set<string>();
  private finished = false;
  /** The text of the line parse() read last, for typedMetadata(). */
  private lastText = '';

  constructor(
    private readonly label: string,
    /** Absent: inspect everything. Present: read only this collection. */
    private readonly target?: OwnReadTarget,
  ) {}

  get done(): boolean {
    return this.finished;
  }

  write(chunk: Buffer): void {
    this.splitter.write(chunk);
  }

  end(): void {
    this.splitter.end();
    if (this.finished) return;
    const no = this.splitter.lines + 1;
    if (this.phase === 'header') throw badBackup(`${this.label} is empty`);
    if (this.phase === 'in-collection') {
      throw this.fail(no, `expected a "record" or "end" line for collection ${inQuotes(this.current!.header.name)}, got end of file — ${TRUNCATED}`);
    }
    if (this.phase === 'between') throw this.fail(no, `expected a "collection" or "end-file" line, got end of file — ${TRUNCATED}`);
  }

  /** Records of the (single) read collection passed over before the first one yielded. */
  private get skip(): number {
    return this.target !== undefined && 'skip' in this.target ? this.target.skip : 0;
  }

  private get idsOnly(): boolean {
    return this.target !== undefined && 'idsOnly' in this.target && this.target.idsOnly === true;
  }

  private wants(name: string): boolean {
    if (this.target === undefined) return false;
    return 'names' in this.target ? this.target.names.has(name) : this.target.name === name;
  }

  private fail(no: number, message: string): MigrateError {
    return badBackup(`${this.label} line ${no}: ${message}`);
  }

  private onLine(line: Buffer, no: number, terminated: boolean): void {
    if (this.phase === 'in-collection' && startsWith(line, RECORD_PREFIX)) {
      const cur = this.current!;
      cur.seen++;
      // Records we were asked to skip, or that belong to another collection: never parsed.
      if (this.target !== undefined && (!cur.target || cur.seen <= this.skip)) return;
      const id = this.idsOnly ? recordLineId(line) : null;
      if (id !== null) {
        this.outIds.push(id);
        return;
      }
      this.onRecord(this.parse(line, no, terminated), no);
      return;
    }
    if (isBlank(line)) return;
    const value = this.parse(line, no, terminated);
    const type = value.type;
    switch (this.phase) {
      case 'header':
        return this.onHeader(value, no);
      case 'between':
        if (type === 'collection') return this.onCollection(value, no);
        if (type === 'end-file') return this.onEndFile(value, no);
        throw this.fail(no, `expected a "collection" or "end-file" line, got ${describeType(type)}`);
      case 'in-collection':
        if (type === 'record') {
          this.current!.seen++;
          return this.onRecord(value, no);
        }
        if (type === 'end') return this.onEnd(value, no);
        throw this.fail(no, `expected a "record" or "end" line for collection ${inQuotes(this.current!.header.name)}, got ${describeType(type)}`);
      case 'ended':
        throw this.fail(no, `expected nothing after the "end-file" line, got ${describeType(type)}`);
    }
  }

  private parse(line: Buffer, no: number, terminated: boolean): Record<string, unknown> {
    const text = line.toString('utf8');
    this.lastText = text;
    // toString() turns bytes that are not UTF-8 into U+FFFD silently: the data would change.
    if (text.includes('\uFFFD') && !isUtf8(line)) throw this.fail(no, 'the line holds bytes that are not UTF-8 — the file is damaged');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // Our writer ends every line with "\n": a last line without one was cut off mid-write.
      if (!terminated) throw this.fail(no, `the line is cut off — ${TRUNCATED}`);
      throw this.fail(no, `expected a JSON object on this line, but ${describeJsonError(error, text)}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw this.fail(no, 'expected a JSON object on this line');
    return value as Record<string, unknown>;
  }

  private check<T>(schema: z.ZodMiniType<T>, value: Record<string, unknown>, no: number, what: string): T {
    const result = schema.safeParse(value);
    if (!result.success) throw this.fail(no, `${what}: ${explainIssues(result.error, value)}`);
    return result.data;
  }

  private onHeader(value: Record<string, unknown>, no: number): void {
    if (value.format !== FORMAT_NAME) throw this.fail(no, `expected the "${FORMAT_NAME}" header line`);
    const header = this.check(headerLineSchema, value, no, 'header line');
    if (!READABLE_VERSIONS.includes(header.version)) {
      throw new MigrateError(
        'BAD_BACKUP',
        `${this.label} is a version ${header.version} backup; this chroma-migrate reads versions ${READABLE_VERSIONS.slice(0, -1).join(', ')} and ${READABLE_VERSIONS.at(-1)}`,
        'Use the chroma-migrate version that wrote the backup, or a newer one.',
      );
    }
    this.version = header.version;
    this.createdAt = header.created_at;
    this.phase = 'between';
  }

  private onCollection(value: Record<string, unknown>, no: number): void {
    const line = this.check(collectionLineSchema, value, no, 'collection line');
    const key = collectionKey(line);
    if (this.names.has(key)) throw this.fail(no, `collection ${inQuotes(key)} appears twice in the file`);
    this.names.add(key);
    const typed = this.typedCollectionLine(line);
    const header: CollectionHeader = {
      name: line.name,
      ...(line.database !== undefined ? { database: line.database } : {}),
      metadata: typed.metadata,
      space: line.space,
      count: line.count,
      dimension: line.dimension,
      // Present only when the file recorded them (format 1 files and bare collections do not).
      ...(typed.configuration ? { configuration: typed.configuration } : {}),
      ...(typed.schema ? { schema: typed.schema } : {}),
      // Before format 3 the writer had them from JSON.parse: 1.0 was written 1.
      ...(this.version < 3 && (typed.configuration || typed.schema) ? { untypedSettings: true } : {}),
    };
    const target = this.wants(line.name) && (this.target?.database === undefined || this.target.database === line.database);
    if (target) {
      this.found = true;
      this.foundNames.add(line.name);
    }
    // Inspect checks every collection; read checks only the one it yields.
    const check = this.target === undefined || target ? new CollectionCheck(line.name, line.dimension) : null;
    this.current = { header, check, seen: 0, target };
    this.phase = 'in-collection';
  }

  private onRecord(value: Record<string, unknown>, no: number): void {
    const cur = this.current!;
    if (cur.check === null) return; // another collection, in read mode
    const line = isPlainRecordLine(value) ? value : this.check(recordLineSchema, value, no, 'record line');
    if (this.target === undefined) {
      // Inspect: every check, but only the embedding's length is kept.
      const length = line.embedding === null ? null : embeddingLength(line.embedding);
      if (typeof length === 'string') throw this.fail(no, `record ${inQuotes(line.id)}: ${length}`);
      const problem = cur.check.add(line.id, length);
      if (problem) throw this.fail(no, problem);
      cur.check.addMetadata(line.metadata);
      return;
    }
    let embedding: Float32Array | null = null;
    if (line.embedding !== null) {
      const decoded = decodeEmbedding(line.embedding);
      if (typeof decoded === 'string') throw this.fail(no, `record ${inQuotes(line.id)}: ${decoded}`);
      embedding = decoded;
    }
    const problem = embedding && cur.check.checkDimension(line.id, embedding.length);
    if (problem) throw this.fail(no, problem);
    if (cur.target && cur.seen > this.skip && this.idsOnly) this.outIds.push(line.id);
    else if (cur.target && cur.seen > this.skip) {
      this.out.push({ id: line.id, document: line.document, metadata: this.typedMetadata(line.metadata, line.id, no), embedding, uri: line.uri });
      if (this.target !== undefined && 'names' in this.target) this.outNames.push(cur.header.name);
    }
  }

  /**
   * JSON.parse read the line fast; where the metadata may hold a number it mistyped (2.0, a big
   * int), read that part again with types (values/json.ts). The writer puts "metadata" last, so
   * the tail after its key is the value; anything else (a hand-edited line) reads whole.
   */
  private typedMetadata(parsed: Metadata | null, id: string, no: number): Metadata | null {
    // Version 1 wrote 2.0 as 2, so its digit tokens read as ints either way; but it wrote a
    // float past 1e21 with an exponent and rounded ints past 2^53 — read as typed, both come
    // back as what import writes and verify reads from the target (a float; an exact int).
    if (parsed === null) return parsed;
    const text = this.lastText;
    const at = text.indexOf(METADATA_KEY);
    const tail = at === -1 ? text : text.slice(at + METADATA_KEY.length, text.trimEnd().length - 1);
    if (!mayLoseNumbers(tail)) return parsed;
    try {
      return at === -1 ? (parseTyped(text) as { metadata: Metadata }).metadata : (parseTyped(tail) as Metadata);
    } catch {
      try {
        return (parseTyped(text) as { metadata: Metadata }).metadata;
      } catch (error) {
        // JSON.parse took the line, so the typed reader refused something it allows: a key
        // repeated in one object (which of the two values is meant?).
        throw this.fail(no, `record ${inQuotes(id)}: its metadata cannot be read with number types (${(error as Error).message})`);
      }
    }
  }

  /**
   * The collection line's metadata, configuration and schema with number types (the line is
   * short: read it whole), by the same value module as the records.
   */
  private typedCollectionLine<T extends Pick<CollectionHeader, 'metadata' | 'configuration' | 'schema'>>(parsed: T): T {
    if (!mayLoseNumbers(this.lastText)) return parsed;
    try {
      const typed = parseTyped(this.lastText) as T;
      return { ...parsed, metadata: typed.metadata, configuration: typed.configuration, schema: typed.schema };
    } catch {
      return parsed;
    }
  }

  private onEnd(value: Record<string, unknown>, no: number): void {
    const cur = this.current!;
    const line = this.check(endLineSchema, value, no, 'end line');
    if (line.name !== cur.header.name) {
      throw this.fail(no, `expected the "end" line of collection ${inQuotes(cur.header.name)}, got the end of ${inQuotes(line.name)}`);
    }
    if (line.count !== cur.seen) {
      throw this.fail(no, `collection ${inQuotes(cur.header.name)} ends claiming ${line.count} records, but ${cur.seen} record lines came before it`);
    }
    // Since format 3 the writer marks a source that changed while read; before, it could not say.
    if (this.version >= 3 && cur.header.count !== null && cur.header.count !== cur.seen && line.source_changed !== true) {
      throw this.fail(no, `collection ${inQuotes(cur.header.name)} claims ${cur.header.count} records in its header, but holds ${cur.seen}`);
    }
    if (this.target === undefined) {
      this.collections.push({ ...cur.header, count: cur.seen, ...cur.check!.summary() });
      // Only a repeated hash needs a second look: a pass per collection without one re-read the
      // file once for every collection it holds.
      if (cur.check!.suspects.size > 0) this.suspects.set(collectionKey(cur.header), cur.check!.suspects);
    }
    this.current = null;
    this.phase = 'between';
    // One collection: nothing after its end line matters. Several: read on to the end of the file.
    if (cur.target && this.target !== undefined && 'name' in this.target) this.stop();
  }

  private onEndFile(value: Record<string, unknown>, no: number): void {
    const line = this.check(endFileLineSchema, value, no, 'end-file line');
    if (line.collections !== this.names.size) {
      throw this.fail(no, `the file claims ${line.collections} collections, but ${this.names.size} came before this line`);
    }
    this.phase = 'ended';
    // Read mode: the whole file went by without the collection.
    if (this.target !== undefined) this.stop();
  }

  private stop(): void {
    this.finished = true;
    this.splitter.stopped = true;
  }
}

function startsWith(line: Buffer, prefix: Buffer): boolean {
  return line.length >= prefix.length && line.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

function isBlank(line: Buffer): boolean {
  for (const c of line) if (c !== 0x20 && c !== 0x09) return false;
  return true;
}

function describeType(type: unknown): string {
  return typeof type === 'string' ? `a ${inQuotes(type)} line` : 'a line without a "type"';
}
