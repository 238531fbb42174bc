/**
 * Deterministic backup records and writers for the three Python export shapes.
 * Writers stream to disk (with backpressure) so benchmarks can produce 100k-record files
 * without building one giant string; `.gz` paths are gzip-compressed.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { BackupRecord, Metadata } from '../../src/core/model/record.js';
import { seededRandom } from './prng.js';

export interface MakeRecordsOptions {
  dim?: number;
  seed?: number;
  /** Every n-th record (i % n === n - 1) gets a null document. */
  nullDocEvery?: number;
  /** Every n-th record gets null metadata. */
  nullMetaEvery?: number;
  /** Every n-th record gets a null embedding. */
  nullEmbeddingEvery?: number;
  /** Every n-th record gets a uri. */
  uriEvery?: number;
  prefix?: string;
}

const CLIENTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const WORDS = ['vector', 'index', 'cloud', 'migrate', 'résumé', 'naïve', 'café', 'quote "x"', 'tab\there', 'line\nbreak'];

function makeOne(i: number, rand: () => number, o: Required<Omit<MakeRecordsOptions, 'nullDocEvery' | 'nullMetaEvery' | 'nullEmbeddingEvery' | 'uriEvery'>> & MakeRecordsOptions): BackupRecord {
  const every = (n: number | undefined): boolean => n !== undefined && n > 0 && i % n === n - 1;
  const embedding: number[] = [];
  for (let d = 0; d < o.dim; d++) embedding.push(Math.fround(rand() * 2 - 1));
  const word = WORDS[Math.floor(rand() * WORDS.length)] ?? 'x';
  const metadata: Metadata = {
    client: CLIENTS[Math.floor(rand() * CLIENTS.length)] ?? 'acme',
    index: i,
    flag: rand() < 0.5,
  };
  return {
    id: `${o.prefix}-${String(i).padStart(6, '0')}`,
    document: every(o.nullDocEvery) ? null : `Document ${i} about ${word}.`,
    metadata: every(o.nullMetaEvery) ? null : metadata,
    embedding: every(o.nullEmbeddingEvery) ? null : embedding,
    uri: every(o.uriEvery) ? `s3://bucket/${o.prefix}/${i}` : null,
  };
}

/**
 * Re-iterable deterministic records: each iteration regenerates the same sequence, so
 * column-wise writers can walk it once per column without holding it in memory.
 */
export function generateRecords(n: number, opts: MakeRecordsOptions = {}): Iterable<BackupRecord> {
  const o = { dim: 8, seed: 1, prefix: 'rec', ...opts };
  return {
    *[Symbol.iterator]() {
      const rand = seededRandom(o.seed);
      for (let i = 0; i < n; i++) yield makeOne(i, rand, o);
    },
  };
}

export function makeRecords(n: number, opts: MakeRecordsOptions = {}): BackupRecord[] {
  return [...generateRecords(n, opts)];
}

/** Writes strings to a file (gzip for .gz) honouring backpressure. */
class Sink {
  private readonly file: Writable;
  private readonly head: Writable;
  private parts: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.file = createWriteStream(path);
    if (path.endsWith('.gz')) {
      const gz = createGzip();
      gz.pipe(this.file);
      this.head = gz;
    } else {
      this.head = this.file;
    }
  }

  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 16) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.head.write(chunk)) await once(this.head, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.head.end();
    await once(this.file, 'close');
  }
}

export interface JsonStyle {
  /** Pretty-print like Python's json.dump(indent=2); default compact like json.dumps. */
  indent?: number;
}

const EXPORT_DATE = '2025-06-01T12:00:00.123456';

function rowOf(r: BackupRecord): Record<string, unknown> {
  const row: Record<string, unknown> = { id: r.id, document: r.document, metadata: r.metadata, embedding: r.embedding };
  if (r.uri !== null) row.uri = r.uri;
  return row;
}

/** Writes `{"k": v, ..., "arrayKey": [items...]}`-like objects piece by piece. */
async function writeObject(sink: Sink, fields: [string, unknown | (() => AsyncIterable<string> | Iterable<string>)][], indent: number, depth: number): Promise<void> {
  const nl = indent > 0 ? '\n' : '';
  const pad = (d: number): string => ' '.repeat(indent * d);
  const sep = ': ';
  await sink.write('{' + nl);
  for (let f = 0; f < fields.length; f++) {
    const [key, value] = fields[f]!;
    await sink.write(pad(depth + 1) + JSON.stringify(key) + sep);
    if (typeof value === 'function') {
      const items = (value as () => Iterable<string> | AsyncIterable<string>)();
      await sink.write('[' + nl);
      let first = true;
      for await (const item of items) {
        await sink.write((first ? pad(depth + 2) : ',' + (indent > 0 ? nl + pad(depth + 2) : ' ')) + item);
        first = false;
      }
      await sink.write(nl + pad(depth + 1) + ']');
    } else {
      await sink.write(indentJson(value, indent, depth + 1));
    }
    if (f < fields.length - 1) await sink.write(indent > 0 ? ',' + nl : ', ');
    else await sink.write(nl);
  }
  await sink.write(pad(depth) + '}');
}

/**
 * Mimics Python's json.dumps: ", " and ": " separators when compact, one item per line when
 * indented, and ensure_ascii (non-ASCII as \uXXXX) — so fixtures have Python's size and escapes.
 */
export function pyJson(value: unknown, indent = 0, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  const open = indent > 0 ? '\n' + ' '.repeat(indent * (depth + 1)) : '';
  const close = indent > 0 ? '\n' + ' '.repeat(indent * depth) : '';
  const sep = indent > 0 ? ',' + open : ', ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[' + open + value.map((v) => pyJson(v, indent, depth + 1)).join(sep) + close + ']';
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return '{' + open + entries.map(([k, v]) => pyJson(k) + ': ' + pyJson(v, indent, depth + 1)).join(sep) + close + '}';
}

const indentJson = pyJson;

function rowsFields(records: Iterable<BackupRecord>, indent: number, depth: number): () => Iterable<string> {
  return function* () {
    for (const r of records) yield indentJson(rowOf(r), indent, depth);
  };
}

function columnFields(records: Iterable<BackupRecord>, withUris: boolean, indent: number, depth: number): [string, () => Iterable<string>][] {
  const column = (pick: (r: BackupRecord) => unknown) =>
    function* () {
      for (const r of records) yield pyJson(pick(r), indent, depth);
    };
  const cols: [string, () => Iterable<string>][] = [
    ['ids', column((r) => r.id)],
    ['documents', column((r) => r.document)],
    ['metadatas', column((r) => r.metadata)],
    ['embeddings', column((r) => r.embedding)],
  ];
  if (withUris) cols.push(['uris', column((r) => r.uri)]);
  return cols;
}

function hasUris(records: Iterable<BackupRecord>): boolean {
  for (const r of records) if (r.uri !== null) return true;
  return false;
}

/** Row-wise export: `{"collection_name", "export_date", "collection_metadata", "records": [...]}`. */
export async function writePythonRowsJson(
  path: string,
  name: string,
  records: Iterable<BackupRecord>,
  opts: { metadata?: Metadata | null } & JsonStyle = {},
): Promise<void> {
  const indent = opts.indent ?? 0;
  const sink = new Sink(path);
  await writeObject(
    sink,
    [
      ['collection_name', name],
      ['export_date', EXPORT_DATE],
      ['collection_metadata', opts.metadata ?? null],
      ['records', rowsFields(records, indent, 2)],
    ],
    indent,
    0,
  );
  await sink.close();
}

/**
 * Column-wise export (Chroma `collection.get()` shape): `{"collection", "exported_at", "ids",
 * "documents", "metadatas", "embeddings", "uris"?}`. `records` is iterated once per column.
 */
export async function writePythonColumnsJson(
  path: string,
  name: string,
  records: Iterable<BackupRecord>,
  opts: { metadata?: Metadata | null; uris?: boolean } & JsonStyle = {},
): Promise<void> {
  const sink = new Sink(path);
  const head: [string, unknown][] = [
    ['collection', name],
    ['exported_at', EXPORT_DATE],
  ];
  if (opts.metadata !== undefined) head.push(['metadata', opts.metadata]);
  await writeObject(sink, [...head, ...columnFields(records, opts.uris ?? hasUris(records), opts.indent ?? 0, 2)], opts.indent ?? 0, 0);
  await sink.close();
}

export interface MultiCollection {
  name: string;
  metadata?: Metadata | null;
  records: Iterable<BackupRecord>;
  /** rows (default) → `"records": [...]`; columns → `"ids": [...]`, ... */
  shape?: 'rows' | 'columns';
}

/** Multi-collection export: `{"export_date", "collections": [{"name", "metadata", ...rows or columns}]}`. */
export async function writePythonMultiJson(path: string, collections: MultiCollection[], opts: JsonStyle = {}): Promise<void> {
  const indent = opts.indent ?? 0;
  const sink = new Sink(path);
  const items = async function* (): AsyncIterable<string> {
    for (const c of collections) {
      const fields: [string, unknown][] = [
        ['name', c.name],
        ['metadata', c.metadata ?? null],
      ];
      const data: [string, () => Iterable<string>][] =
        c.shape === 'columns' ? columnFields(c.records, hasUris(c.records), indent, 4) : [['records', rowsFields(c.records, indent, 4)]];
      yield await renderObject([...fields, ...data], indent, 2);
    }
  };
  await writeObject(
    sink,
    [
      ['export_date', EXPORT_DATE],
      ['collections', items],
    ],
    indent,
    0,
  );
  await sink.close();
}

/** Renders one object to a string (multi-collection fixtures are small). */
async function renderObject(fields: [string, unknown][], indent: number, depth: number): Promise<string> {
  const parts: string[] = [];
  const sink = { write: async (s: string) => void parts.push(s) } as unknown as Sink;
  await writeObject(sink, fields, indent, depth);
  return parts.join('');
}
