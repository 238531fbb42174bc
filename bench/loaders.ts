/**
 * The methods chroma-migrate is measured against: the guide's JS-client loop, raw HTTP loaders
 * straight against the server (the practical limit), and the plain sequential export loop.
 * Every loop is bounded by the record count; every URL is a local server the run started.
 */
import { ChromaClient } from 'chromadb';
import { encodeEmbedding } from '../src/core/model/float32.js';
import type { BackupRecord } from '../src/core/model/record.js';
import { COLLECTION } from './data.js';

const BASE = '/api/v2/tenants/default_tenant/databases/default_database';

async function post<T>(url: string, body: string): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} → ${response.status}: ${text.slice(0, 200)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

async function createCollection(url: string): Promise<string> {
  const info = await post<{ id: string }>(`${url}${BASE}/collections`, JSON.stringify({ name: COLLECTION, configuration: { hnsw: { space: 'cosine' } } }));
  return info.id;
}

async function countOf(url: string, id: string): Promise<number> {
  const response = await fetch(`${url}${BASE}/collections/${id}/count`);
  return (await response.json()) as number;
}

export async function collectionId(url: string, name = COLLECTION): Promise<string> {
  const response = await fetch(`${url}${BASE}/collections/${encodeURIComponent(name)}`);
  if (!response.ok) throw new Error(`no collection ${name} on ${url}`);
  return ((await response.json()) as { id: string }).id;
}

export interface LoadTiming {
  seconds: number;
  records: number;
}

/**
 * The guide's method: the chromadb JS client, `collection.add` of 100 records at a time, one
 * after the other. Records are already in memory (the guide json.loads the whole file first);
 * only the upload loop is timed.
 */
export async function guideImport(url: string, records: BackupRecord[]): Promise<LoadTiming> {
  const { hostname, port } = new URL(url);
  const client = new ChromaClient({ host: hostname, port: Number(port), ssl: false });
  const collection = await client.createCollection({ name: COLLECTION, embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } } });
  const started = performance.now();
  for (let i = 0; i < records.length; i += 100) {
    const batch = records.slice(i, i + 100);
    await collection.add({
      ids: batch.map((record) => record.id),
      embeddings: batch.map((record) => record.embedding as number[]),
      documents: batch.map((record) => record.document as string),
      metadatas: batch.map((record) => record.metadata as Record<string, string | number | boolean>),
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const count = await collection.count();
  if (count !== records.length) throw new Error(`guide import left ${count} of ${records.length} records`);
  return { seconds, records: records.length };
}

/**
 * A raw loader: request bodies (base64 float32, as the server prefers) are built before the
 * clock starts, so only the server's work and the HTTP round trips are timed.
 */
export async function rawImport(url: string, records: BackupRecord[], batch: number, concurrency: number): Promise<LoadTiming> {
  const id = await createCollection(url);
  const bodies: string[] = [];
  for (let i = 0; i < records.length; i += batch) bodies.push(rawBody(records.slice(i, i + batch)));
  const route = `${url}${BASE}/collections/${id}/upsert`;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await post(route, bodies[next++] as string);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const count = await countOf(url, id);
  if (count !== records.length) throw new Error(`raw import left ${count} of ${records.length} records`);
  return { seconds, records: records.length };
}

/** An upsert body as the server prefers it: embeddings as base64 float32. */
function rawBody(part: BackupRecord[]): string {
  return JSON.stringify({
    ids: part.map((record) => record.id),
    embeddings: part.map((record) => encodeEmbedding(record.embedding as number[])),
    documents: part.map((record) => record.document),
    metadatas: part.map((record) => record.metadata),
    uris: null,
  });
}

/**
 * A raw loader for a long run: the same requests, each body built as its turn comes (a million
 * bodies would not fit in memory), with [records committed, seconds] after each one: the pace
 * the server itself keeps as the collection grows, to read a product's pace against.
 */
export async function rawImportAlong(url: string, records: Iterable<BackupRecord>, batch: number, concurrency: number): Promise<LoadTiming & { samples: Array<[number, number]> }> {
  const id = await createCollection(url);
  const route = `${url}${BASE}/collections/${id}/upsert`;
  const source = records[Symbol.iterator]();
  const nextBody = (): { body: string; size: number } | null => {
    const part: BackupRecord[] = [];
    for (let step = source.next(); !step.done; step = source.next()) {
      part.push(step.value);
      if (part.length === batch) break;
    }
    return part.length === 0 ? null : { body: rawBody(part), size: part.length };
  };
  const samples: Array<[number, number]> = [];
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let next = nextBody(); next; next = nextBody()) {
        await post(route, next.body);
        done += next.size;
        samples.push([done, (performance.now() - started) / 1000]);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const count = await countOf(url, id);
  if (count !== done) throw new Error(`raw import left ${count} of ${done} records`);
  return { seconds, records: done, samples };
}

/**
 * The plain export loop: `get` with limit/offset, one page after the other, every field
 * included, answers parsed and dropped (no file is written, which only flatters this side).
 */
export async function sequentialExport(url: string, id: string, total: number, pageSize: number): Promise<LoadTiming> {
  const route = `${url}${BASE}/collections/${id}/get`;
  let records = 0;
  const started = performance.now();
  for (let offset = 0, pages = 0; pages <= Math.ceil(total / pageSize); offset += pageSize, pages++) {
    const page = await post<{ ids: string[] }>(route, JSON.stringify({ limit: pageSize, offset, include: ['embeddings', 'documents', 'metadatas', 'uris'] }));
    records += page.ids.length;
    if (page.ids.length < pageSize) break;
  }
  const seconds = (performance.now() - started) / 1000;
  if (records !== total) throw new Error(`sequential export read ${records} of ${total} records`);
  return { seconds, records };
}

interface RawPage {
  ids: string[];
  embeddings: number[][] | null;
  documents: Array<string | null> | null;
  metadatas: Array<Record<string, string | number | boolean> | null> | null;
}

/** The source's collection, read one page after the other (as the guide's export script does). */
async function readPage(url: string, id: string, limit: number, offset: number): Promise<RawPage> {
  return post<RawPage>(`${url}${BASE}/collections/${id}/get`, JSON.stringify({ limit, offset, include: ['embeddings', 'documents', 'metadatas'] }));
}

/**
 * The guide's whole method, source to target: its export (sequential `get` of 300, everything
 * held in memory), then its import (the JS client's `add` of 100, one after the other).
 */
export async function guideMove(sourceUrl: string, targetUrl: string, total: number): Promise<LoadTiming> {
  const started = performance.now();
  const id = await collectionId(sourceUrl);
  const pages: RawPage[] = [];
  for (let offset = 0; ; offset += 300) {
    const page = await readPage(sourceUrl, id, 300, offset);
    pages.push(page);
    if (page.ids.length < 300) break;
  }
  const { hostname, port } = new URL(targetUrl);
  const client = new ChromaClient({ host: hostname, port: Number(port), ssl: false });
  const collection = await client.createCollection({ name: COLLECTION, embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } } });
  const ids = pages.flatMap((page) => page.ids);
  const embeddings = pages.flatMap((page) => page.embeddings ?? []);
  const documents = pages.flatMap((page) => page.documents ?? []);
  const metadatas = pages.flatMap((page) => page.metadatas ?? []);
  for (let i = 0; i < ids.length; i += 100) {
    await collection.add({
      ids: ids.slice(i, i + 100),
      embeddings: embeddings.slice(i, i + 100),
      documents: documents.slice(i, i + 100) as string[],
      metadatas: metadatas.slice(i, i + 100) as Array<Record<string, string | number | boolean>>,
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const count = await collection.count();
  if (count !== total) throw new Error(`the guide's method left ${count} of ${total} records`);
  return { seconds, records: total };
}

/**
 * The method of Chroma's own `chroma copy` (rust/cli/src/commands/copy.rs): batches of
 * 100, 5 in flight, each batch read from the source and written to the target with `add`. Its
 * reads go through Cloud's Search API; here a `get` of the same batch stands in for them.
 */
export async function chromaCopyMove(sourceUrl: string, targetUrl: string, total: number, batch = 100, concurrency = 5): Promise<LoadTiming> {
  const started = performance.now();
  const sourceId = await collectionId(sourceUrl);
  const targetId = await createCollection(targetUrl);
  const route = `${targetUrl}${BASE}/collections/${targetId}/add`;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const offset = next;
        next += batch;
        const page = await readPage(sourceUrl, sourceId, batch, offset);
        await post(route, JSON.stringify({ ids: page.ids, embeddings: page.embeddings, documents: page.documents, metadatas: page.metadatas, uris: null }));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const count = await countOf(targetUrl, targetId);
  if (count !== total) throw new Error(`the chroma copy method left ${count} of ${total} records`);
  return { seconds, records: total };
}
