import { encodeEmbedding } from '../model/float32.js';
import type { BackupRecord, CollectionJson, Embedding, Metadata, Space } from '../model/record.js';
import type { GetPage, OpenApiDoc } from './wire-types.js';
import type { Endpoint } from './endpoint.js';
import { readGetPage, type EmbeddingCheck } from './float-page.js';
import { chromaRequest, JsonParts, notChroma, type RequestOptions } from './http.js';
import { mayLoseNumbers, parseTyped, stringifyTyped } from '../model/typed-json.js';
import { MigrateError } from '../util/errors.js';
import { count, inQuotes, plural } from '../util/format.js';

/** The subset of a collection's JSON we use. */
export interface CollectionInfo {
  id: string;
  name: string;
  metadata: Metadata | null;
  /** `{hnsw|spann, embedding_function}`; read with src/core/collection/shape.ts. */
  configuration_json?: (CollectionJson & {
    hnsw?: { space?: Space } | null;
    spann?: { space?: Space } | null;
  }) | null;
  /** Since Chroma 1.3: `{defaults, keys}` with the per-type index switches. */
  schema?: CollectionJson | null;
  dimension?: number | null;
}

/** What creates a collection: see src/core/collection/plan.ts for how it is chosen. */
export interface CreateCollectionRequest {
  name: string;
  metadata: Metadata | null;
  /** One or the other (a server refuses both non-default). */
  configuration?: CollectionJson | null;
  schema?: CollectionJson | null;
  /** Shorthand for `configuration: {hnsw: {space}}` when neither of the above is given. */
  space?: Space | null;
}

/** Embeddings come as float32 when float-page read the answer, as numbers when JSON.parse did. */
export type { GetPage } from './wire-types.js';

export interface QueryAnswer {
  ids: string[][];
  distances: (number[] | null)[] | null;
}

export interface Preflight {
  max_batch_size: number;
  supports_base64_encoding?: boolean;
}

type Signal = Pick<RequestOptions, 'signal'>;

/**
 * The Chroma v2 HTTP routes the migration uses. We talk HTTP directly rather than through the
 * chromadb client because its validation rejects batches that mix null and string documents
 * (which Python exports contain) and it cannot send base64 float32 embeddings.
 */
export class ChromaApi {
  constructor(readonly target: Endpoint) {}

  private get base(): string {
    return `/api/v2/tenants/${encodeURIComponent(this.target.tenant)}/databases/${encodeURIComponent(this.target.database)}`;
  }

  async heartbeat(options: Signal & { timeoutMs?: number } = {}): Promise<{ 'nanosecond heartbeat': number }> {
    const answer = await chromaRequest<unknown>(this.target, 'GET', '/api/v2/heartbeat', options);
    // Any web server answers 200 with something; only Chroma answers with its clock.
    if (typeof (answer as { 'nanosecond heartbeat'?: unknown } | null)?.['nanosecond heartbeat'] !== 'number') {
      throw notChroma('GET', '/api/v2/heartbeat', 200, JSON.stringify(answer));
    }
    return answer as { 'nanosecond heartbeat': number };
  }

  async version(options: Signal = {}): Promise<string> {
    const answer = await chromaRequest<unknown>(this.target, 'GET', '/api/v2/version', options);
    // Something else answering 200 (a catch-all proxy page) must not pass for a version.
    if (typeof answer !== 'string') throw notChroma('GET', '/api/v2/version', 200, JSON.stringify(answer) ?? '');
    return answer;
  }

  /** The server's own description of its routes and shapes; see capabilities.ts. */
  openapi(options: Signal = {}): Promise<OpenApiDoc> {
    return chromaRequest(this.target, 'GET', '/openapi.json', options);
  }

  async preflight(options: Signal = {}): Promise<Preflight> {
    const answer = await chromaRequest<unknown>(this.target, 'GET', '/api/v2/pre-flight-checks', options);
    if (typeof (answer as Partial<Preflight> | null)?.max_batch_size !== 'number') {
      throw notChroma('GET', '/api/v2/pre-flight-checks', 200, JSON.stringify(answer));
    }
    return answer as Preflight;
  }

  identity(options: Signal = {}): Promise<{ tenant: string; databases: string[] }> {
    return chromaRequest(this.target, 'GET', '/api/v2/auth/identity', options);
  }

  async listCollections(page: { limit: number; offset: number }, options: Signal & { anonymous?: boolean } = {}): Promise<CollectionInfo[]> {
    const path = `${this.base}/collections?limit=${page.limit}&offset=${page.offset}`;
    const answer = await chromaRequest<unknown>(this.target, 'GET', path, { ...options, read: readCollectionJson });
    // stringifyTyped: the answer's metadata may hold bigints, which JSON.stringify refuses.
    if (!Array.isArray(answer)) throw notChroma('GET', path, 200, stringifyTyped(answer) ?? '');
    return answer as CollectionInfo[];
  }

  /** How many collections the database holds (every 1.x server and Cloud answer it). */
  async countCollections(options: Signal = {}): Promise<number> {
    const path = `${this.base}/collections_count`;
    const answer = await chromaRequest<unknown>(this.target, 'GET', path, options);
    if (typeof answer !== 'number') throw notChroma('GET', path, 200, JSON.stringify(answer) ?? '');
    return answer;
  }

  /**
   * Every collection of the database, as one listing the collections count confirms: an answer
   * cut short (a proxy's limit, a gateway) would otherwise leave collections out of a copy, an
   * export or a verify of --all without a word. The count is taken before and after; a listing
   * that disagrees is read again (a collection created or deleted meanwhile), and one that never
   * agrees is an error, never an answer.
   */
  async allCollections(options: Signal = {}): Promise<CollectionInfo[]> {
    const tries: CollectionListingTry[] = [];
    for (let attempt = 0; attempt < COLLECTION_LISTING_ATTEMPTS; attempt++) {
      const before = await this.countCollections(options);
      const listed = await this.collectionPages(before, options);
      const after = await this.countCollections(options);
      if (before === after && listed.length === after) return listed;
      tries.push({ before, after, listed: listed.length });
    }
    throw unconfirmedCollections(this.target, tries);
  }

  /**
   * The collections page by page, each read on from where the last answer ended: a page shorter
   * than asked is the end only once `expected` are in (or when a page is empty, or brings none
   * not seen: an answer that repeats itself). Kept by id, the server's order, each once: a
   * collection deleted meanwhile shifts the later pages.
   */
  private async collectionPages(expected: number, options: Signal): Promise<CollectionInfo[]> {
    const byId = new Map<string, CollectionInfo>();
    for (let offset = 0; ; ) {
      const page = await this.listCollections({ limit: COLLECTION_PAGE, offset }, options);
      const before = byId.size;
      for (const info of page) if (!byId.has(info.id)) byId.set(info.id, info);
      offset += page.length;
      const short = page.length < COLLECTION_PAGE;
      if (page.length === 0 || byId.size === before || (short && byId.size >= expected)) return [...byId.values()];
    }
  }

  async findCollection(name: string, options: Signal = {}): Promise<CollectionInfo | null> {
    try {
      return await chromaRequest<CollectionInfo>(this.target, 'GET', `${this.base}/collections/${encodeURIComponent(name)}`, { ...options, read: readCollectionJson });
    } catch (error) {
      if ((error as { kind?: string }).kind === 'not-found') return null;
      throw error;
    }
  }

  createCollection(request: CreateCollectionRequest, options: Signal = {}): Promise<CollectionInfo> {
    const body: Record<string, unknown> = { name: request.name, metadata: request.metadata, get_or_create: false };
    // A server before 1.3 knows no "schema" field; send it only when there is one.
    if (request.schema) body.schema = request.schema;
    else body.configuration = request.configuration ?? (request.space ? { hnsw: { space: request.space } } : null);
    return chromaRequest(this.target, 'POST', `${this.base}/collections`, { ...options, body, read: readCollectionJson });
  }

  /** Sets parts of a collection's configuration, e.g. a lost embedding function. */
  async updateConfiguration(id: string, configuration: CollectionJson, options: Signal = {}): Promise<void> {
    await chromaRequest(this.target, 'PUT', `${this.base}/collections/${id}`, { ...options, body: { new_configuration: configuration } });
  }

  async deleteCollection(name: string, options: Signal = {}): Promise<void> {
    await chromaRequest(this.target, 'DELETE', `${this.base}/collections/${encodeURIComponent(name)}`, options);
  }

  /** Deletes records by id (ids a target holds that the source no longer does). */
  async deleteRecords(id: string, ids: string[], options: Signal = {}): Promise<void> {
    await chromaRequest(this.target, 'POST', `${this.base}/collections/${id}/delete`, { ...options, body: { ids } });
  }

  count(id: string, options: Signal = {}): Promise<number> {
    return chromaRequest(this.target, 'GET', `${this.base}/collections/${id}/count`, options);
  }

  get(
    id: string,
    args: { limit?: number; offset?: number; ids?: string[]; include: Array<'embeddings' | 'documents' | 'metadatas' | 'uris'> },
    options: Signal & { embeddingCheck?: EmbeddingCheck } = {},
  ): Promise<GetPage> {
    // Nearly all of a page's bytes are embeddings: see float-page.ts for why they skip JSON.parse.
    const { embeddingCheck, ...rest } = options;
    return chromaRequest(this.target, 'POST', `${this.base}/collections/${id}/get`, { ...rest, body: args, read: (bytes) => readGetPage(bytes, embeddingCheck) });
  }

  async upsert(id: string, records: BackupRecord[], encoding: { base64: boolean }, options: Signal = {}): Promise<void> {
    await chromaRequest(this.target, 'POST', `${this.base}/collections/${id}/upsert`, { ...options, body: upsertBody(records, encoding) });
  }

  query(id: string, args: { embeddings: Embedding[]; nResults: number }, options: Signal = {}): Promise<QueryAnswer> {
    return chromaRequest(this.target, 'POST', `${this.base}/collections/${id}/query`, {
      ...options,
      body: { query_embeddings: args.embeddings.map(asNumbers), n_results: args.nResults, include: ['distances'] },
    });
  }
}

/** Collections per page of a listing, and listings taken before one that disagrees with the count is an error. */
const COLLECTION_PAGE = 100;
const COLLECTION_LISTING_ATTEMPTS = 3;

/** One listing of the collections that did not hold: the counts around it and the collections it held. */
interface CollectionListingTry {
  before: number;
  after: number;
  listed: number;
}

/** A listing of collections no attempt confirmed, in words: what was listed against what was counted, and what to do. */
function unconfirmedCollections(target: Endpoint, tries: CollectionListingTry[]): MigrateError {
  const last = tries[tries.length - 1]!;
  const what = `The database ${inQuotes(target.database)} at ${target.url}`;
  const times = `${tries.length} times over`;
  const message = tries.every((one) => one.before === one.after)
    ? `${what} listed ${plural(last.listed, 'collection', 'collections')} of the ${count(last.after)} it counts, ${times}: ${last.listed < last.after ? 'a proxy or the server cuts its answers short, or collections are created and deleted as fast as they are listed' : 'collections are created and deleted as fast as they are listed'}.`
    : `${what} kept changing while its collections were listed (${tries.map((one) => `${count(one.before)} → ${count(one.after)}`).join(', ')}), ${times}.`;
  return new MigrateError('MISMATCH', `${message} Nothing was taken from that listing.`, 'Run the same command again when nothing creates or deletes collections there; if it still fails, remove whatever limits the answers between you and the server (a proxy, a gateway).');
}

const UTF8 = new TextDecoder();

/**
 * A collection (or a list of them) read with number types, all of it: metadata, configuration
 * and schema alike (2.0 stays a float, 9007199254740993 stays exact), by the same value module
 * as the records. Null (JSON.parse reads the body, and explains a bad one) when nothing in it
 * could be mistyped, or when it is not JSON.
 */
function readCollectionJson(bytes: Buffer): unknown {
  const text = UTF8.decode(bytes);
  if (!mayLoseNumbers(text)) return null;
  try {
    return parseTyped(text);
  } catch {
    return null;
  }
}

/**
 * An upsert's JSON, byte for byte what stringifyTyped would write of
 * `{ids, embeddings, documents, metadatas, uris}`, as parts (see JsonParts) of up to ~32K
 * characters. Embeddings go as base64 of their float32 bytes when the server takes it, else as
 * numbers.
 */
export function upsertBody(records: readonly BackupRecord[], encoding: { base64: boolean }): JsonParts {
  const out = new PartsWriter();
  out.add('{"ids":');
  out.add(JSON.stringify(records.map((record) => record.id)));
  out.add(',"embeddings":');
  const embeddingOf = (record: BackupRecord) =>
    // Base64 needs no escaping in a JSON string.
    encoding.base64 ? `"${encodeEmbedding(record.embedding ?? [])}"` : record.embedding ? JSON.stringify(asNumbers(record.embedding)) : 'null';
  out.column(records.some((record) => record.embedding !== null) ? records : null, embeddingOf);
  out.add(',"documents":');
  out.column(records, (record) => JSON.stringify(record.document ?? null));
  out.add(',"metadatas":');
  // Metadata numbers keep their type on the wire: 2.0 goes as a float (typed-json.ts).
  out.column(records, (record) => stringifyTyped(record.metadata ?? null));
  out.add(',"uris":');
  out.column(records.some((record) => record.uri !== null) ? records : null, (record) => JSON.stringify(record.uri ?? null));
  out.add('}');
  return out.done();
}

/**
 * Characters per part: few writes into the request's buffer (a write per value cost more than
 * the values' encoding), and no part near V8's large-object size (128 KB, two-byte text too).
 */
const PART_CHARS = 32 * 1024;

/** JSON text in parts of about PART_CHARS, small pieces joined. */
class PartsWriter {
  private readonly parts: string[] = [];
  private pending: string[] = [];
  private pendingChars = 0;

  add(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= PART_CHARS) this.cut();
  }

  /** `[a,b,…]` of each record's value as JSON, or `null` for no records. */
  column(records: readonly BackupRecord[] | null, json: (record: BackupRecord) => string): void {
    if (records === null) {
      this.add('null');
      return;
    }
    this.add('[');
    for (let index = 0; index < records.length; index++) {
      if (index > 0) this.add(',');
      this.add(json(records[index]!));
    }
    this.add(']');
  }

  done(): JsonParts {
    this.cut();
    return new JsonParts(this.parts);
  }

  private cut(): void {
    if (this.pending.length === 0) return;
    this.parts.push(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }
}

/** JSON has no float32 array: JSON.stringify would write a Float32Array as an object. */
function asNumbers(embedding: Embedding): readonly number[] {
  return embedding instanceof Float32Array ? Array.from(embedding) : embedding;
}

/** The distance space a collection uses, wherever the server recorded it. */
export function spaceOf(info: CollectionInfo): Space | null {
  const legacy = info.metadata?.['hnsw:space'];
  return (
    info.configuration_json?.hnsw?.space ??
    info.configuration_json?.spann?.space ??
    (legacy === 'l2' || legacy === 'cosine' || legacy === 'ip' ? legacy : null)
  );
}
