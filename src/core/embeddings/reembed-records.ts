/**
 * The records of a re-embed: the source collection read in pages from a position (it is only
 * read, and nothing else writes it, so offset paging is stable and a resume starts where the
 * checkpoint says), each document embedded through the endpoint. A record without a document has
 * nothing to embed: it keeps its old vector when the user chose so, else it is left out and named.
 */
import type { ChromaApi } from '../chroma/api.js';
import type { BackupRecord, Embedding } from '../model/record.js';
import { isMigrateError } from '../util/errors.js';
import type { RetryOptions } from '../util/retry.js';
import { embedTexts } from './client.js';
import type { EmbeddingEndpoint } from './endpoint.js';
import { withInstruction } from './instructions.js';
import { readPages, type PageReads } from '../sources/server/pages.js';
import { ReadWindow } from '../sources/server/read-window.js';

/** One page of the source: `records` start at source position `offset`. */
export interface SourcePage {
  offset: number;
  records: BackupRecord[];
}

/**
 * The source's pages from `start`, read as an export reads them (readPages): a page shorter than
 * asked before the count is reached is read on from where it ended, not from where the next page
 * would have begun, so an answer cut short (a proxy's read limit) skips no record; one read ahead.
 */
export async function* sourcePages(
  api: ChromaApi,
  collection: { id: string; count: number },
  options: { start: number; pageSize: number; withEmbeddings: boolean; signal?: AbortSignal; call: <T>(work: () => Promise<T>) => Promise<T> },
): AsyncGenerator<SourcePage> {
  const include: PageReads['include'] = options.withEmbeddings ? ['documents', 'metadatas', 'uris', 'embeddings'] : ['documents', 'metadatas', 'uris'];
  const reads: PageReads = { paging: { fixed: options.pageSize, shrunk: false }, dimension: null, window: new ReadWindow(1), include, signal: options.signal, call: options.call };
  let offset = options.start;
  for await (const records of readPages(api, collection.id, { ...reads, offset: options.start, total: collection.count })) {
    yield { offset, records };
    offset += records.length;
  }
}

/** At most `limit` embedding requests in flight across every batch being written. */
export class Slots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.used >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.used++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.used--;
    }
  }
}

export interface Embedder {
  endpoint: EmbeddingEndpoint;
  /** Prepended to each document, in Qwen3's format (empty: none). */
  instruction: string;
  /** Texts per request. */
  chunk: number;
  slots: Slots;
  signal?: AbortSignal;
  onRetry?: RetryOptions['onRetry'];
  /** Said while a request goes unanswered (embeddings/waiting.ts). */
  onWait?: (waitedMs: number) => void;
}

/** Embeds texts in chunks through the slots; a chunk the endpoint finds too large (413) is halved. */
export async function embedAll(embedder: Embedder, texts: string[]): Promise<Float32Array[]> {
  const chunks: string[][] = [];
  for (let from = 0; from < texts.length; from += embedder.chunk) chunks.push(texts.slice(from, from + embedder.chunk));
  const results = await Promise.all(chunks.map((chunk) => embedChunk(embedder, chunk)));
  return results.flat();
}

async function embedChunk(embedder: Embedder, texts: string[]): Promise<Float32Array[]> {
  try {
    return await embedder.slots.run(() => embedTexts(embedder.endpoint, texts.map((text) => withInstruction(embedder.instruction, text)), { signal: embedder.signal, onRetry: embedder.onRetry, onWait: embedder.onWait }));
  } catch (error) {
    const status = isMigrateError(error) ? (error.cause as { status?: number } | undefined)?.status : undefined;
    if (status !== 413 || texts.length === 1) throw error;
    const half = Math.ceil(texts.length / 2);
    return [...(await embedChunk(embedder, texts.slice(0, half))), ...(await embedChunk(embedder, texts.slice(half)))];
  }
}

/** A page's records as the new collection takes them, and those without a document. */
export async function reembedPage(
  embedder: Embedder,
  records: BackupRecord[],
  keepUndocumented: boolean,
): Promise<{ records: BackupRecord[]; undocumented: string[] }> {
  const documented = records.filter((record) => record.document !== null);
  const vectors = await embedAll(embedder, documented.map((record) => record.document as string));
  const byId = new Map<string, Embedding>(documented.map((record, i) => [record.id, vectors[i] as Float32Array]));
  const undocumented = records.filter((record) => record.document === null).map((record) => record.id);
  const out = records
    .filter((record) => record.document !== null || (keepUndocumented && record.embedding !== null))
    .map((record) => ({ ...record, embedding: byId.get(record.id) ?? record.embedding }));
  return { records: out, undocumented };
}
