import { inspectBackup, readRecords } from './backup/read.js';
import { numberTypesNote } from './backup/summary-notes.js';
import type { BackupRecord, BackupSummary, Embedding, Space } from './backup/types.js';
import { ChromaApi, spaceOf, type GetPage } from './chroma/api.js';
import { describeServer } from './chroma/capabilities.js';
import type { Endpoint } from './chroma/endpoint.js';
import { checkCollectionSettings, type CollectionSettingsVerdict } from './collection/verify-collection.js';
import { explainRequestError } from './chroma/explain.js';
import { fraction } from './format.js';
import { ignoreProgress, type ProgressListener } from './progress.js';
import { withRetry } from './retry.js';
import { compareMetadata } from './values/compare.js';
import { StateStore } from './state/store.js';

export interface VerifyOptions {
  input: string;
  target: Endpoint;
  collections?: string[];
  /** Verify the (single) selected collection under another name on the target. */
  renameTo?: string;
  /** How many records get a semantic self-query. */
  sample?: number;
  statePath?: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface CollectionVerdict {
  collection: string;
  expected: number;
  count: number | null;
  exists: boolean;
  compared: number;
  missing: number;
  differing: number;
  /** The first few of each, for the report; the counts above are complete. */
  missingIds: string[];
  /** `fields` names each difference: "document", "embedding", "uri", "metadata.score: float 2.0 became int 2". */
  differingIds: Array<{ id: string; fields: string[] }>;
  /** Metadata keys whose sparse vectors the target does not hold (import --drop-sparse), with how many records. */
  sparseNotCarried: Record<string, number>;
  selfQuery: { sampled: number; first: number; failedIds: string[] };
  /** The collection itself: embedding function, space, HNSW, schema (collection/verify-collection.ts). */
  settings: CollectionSettingsVerdict | null;
  ok: boolean;
}

export interface VerifyResult {
  summary: BackupSummary;
  collections: CollectionVerdict[];
  ok: boolean;
}

const LISTED = 20;
/** Reads (and self-queries) of the target in flight while comparing. */
const READS_IN_FLIGHT = 4;

export async function verifyBackup(options: VerifyOptions): Promise<VerifyResult> {
  const progress = options.onProgress ?? ignoreProgress;
  const signal = options.signal;
  const api = new ChromaApi(options.target);
  const call = <T>(work: () => Promise<T>) =>
    withRetry(work, { signal }).catch((error: unknown) => {
      throw explainRequestError(error, options.target);
    });

  progress({ type: 'phase', message: `Checking ${options.input}` });
  const summary = await inspectBackup(options.input, { signal });
  const note = numberTypesNote(summary);
  if (note) progress({ type: 'warning', message: note });
  const wanted = options.collections && options.collections.length > 0 ? options.collections : summary.collections.map((header) => header.name);
  const verdicts: CollectionVerdict[] = [];
  const server = await describeServer(api, { signal });

  for (const sourceName of wanted) {
    const header = summary.collections.find((candidate) => candidate.name === sourceName);
    const name = options.renameTo ?? sourceName;
    const verdict: CollectionVerdict = {
      collection: name,
      expected: header?.count ?? 0,
      count: null,
      exists: false,
      compared: 0,
      missing: 0,
      differing: 0,
      missingIds: [],
      differingIds: [],
      sparseNotCarried: {},
      selfQuery: { sampled: 0, first: 0, failedIds: [] },
      settings: null,
      ok: false,
    };
    verdicts.push(verdict);
    if (!header) continue;
    const info = await call(() => api.findCollection(name, { signal }));
    if (!info) {
      verdict.missing = header.count;
      continue;
    }
    verdict.exists = true;
    verdict.count = await call(() => api.count(info.id, { signal }));
    verdict.settings = checkCollectionSettings(header, info, server, { cloud: options.target.cloud });
    progress({ type: 'collection-start', collection: name, total: header.count, done: 0, resumed: false });

    const sampleEvery = Math.max(1, Math.floor(header.count / Math.max(1, options.sample ?? 20)));
    const samples: BackupRecord[] = [];
    let seen = 0;
    const space = spaceOf(info);
    // Several reads in flight, compared in file order: across a network each read is mostly
    // waiting for the round trip (a copy ends with this pass).
    const pending: Array<{ batch: BackupRecord[]; page: Promise<GetPage> }> = [];
    const settle = async () => {
      const { batch, page } = pending.shift() as (typeof pending)[number];
      compareBatch(batch, await page, verdict, space);
      for (const record of batch) {
        if (record.embedding && seen % sampleEvery === 0 && samples.length < (options.sample ?? 20)) samples.push(record);
        seen++;
      }
      progress({ type: 'batch', collection: name, done: verdict.compared, total: header.count });
    };
    try {
      for await (const batch of readRecords(options.input, sourceName, { batchSize: 250, signal })) {
        const page = call(() => api.get(info.id, { ids: batch.map((record) => record.id), include: ['embeddings', 'documents', 'metadatas', 'uris'] }, { signal }));
        page.catch(() => undefined); // awaited in turn by settle()
        pending.push({ batch, page });
        if (pending.length >= READS_IN_FLIGHT) await settle();
      }
      while (pending.length > 0) await settle();
    } finally {
      for (const { page } of pending) page.catch(() => undefined);
    }

    for (let from = 0; from < samples.length; from += READS_IN_FLIGHT) {
      const chunk = samples.slice(from, from + READS_IN_FLIGHT);
      const answers = await Promise.all(chunk.map((record) => call(() => api.query(info.id, { embeddings: [record.embedding as Embedding], nResults: 3 }, { signal }))));
      chunk.forEach((record, index) => {
        const answer = answers[index]!;
        verdict.selfQuery.sampled++;
        if (rankedFirst(record.id, answer.ids[0] ?? [], answer.distances?.[0] ?? [])) verdict.selfQuery.first++;
        else verdict.selfQuery.failedIds.push(record.id);
      });
    }
    // More records than the backup is not a loss: step 7 ingests new data into the same collection.
    verdict.ok =
      verdict.missing === 0 &&
      verdict.differing === 0 &&
      (verdict.count ?? 0) >= header.count &&
      verdict.selfQuery.first === verdict.selfQuery.sampled &&
      verdict.settings.differences.length === 0;
    progress({ type: 'collection-done', collection: name, done: verdict.compared, total: header.count });
  }

  const ok = verdicts.length > 0 && verdicts.every((verdict) => verdict.ok);
  if (options.statePath) {
    const store = await StateStore.open(options.statePath);
    await store.update((state) => ({
      ...state,
      steps: {
        ...state.steps,
        verify: {
          status: ok ? 'done' : 'failed',
          at: new Date().toISOString(),
          detail: verdicts.map((verdict) => `${verdict.collection}: ${fraction(verdict.compared - verdict.missing - verdict.differing, verdict.expected)} equal`).join(', '),
        },
      },
    }));
  }
  return { summary, collections: verdicts, ok };
}

/** Its own id first — or tied with the first at the same distance (duplicate vectors). */
function rankedFirst(id: string, ids: string[], distances: number[]): boolean {
  if (ids[0] === id) return true;
  const index = ids.indexOf(id);
  return index > 0 && Math.abs((distances[index] ?? Infinity) - (distances[0] ?? 0)) < 1e-6;
}

function compareBatch(batch: BackupRecord[], page: GetPage, verdict: CollectionVerdict, space: Space | null): void {
  const byId = new Map<string, number>();
  page.ids.forEach((id, index) => byId.set(id, index));
  for (const record of batch) {
    verdict.compared++;
    const index = byId.get(record.id);
    if (index === undefined) {
      verdict.missing++;
      if (verdict.missingIds.length < LISTED) verdict.missingIds.push(record.id);
      continue;
    }
    const fields: string[] = [];
    if ((page.documents?.[index] ?? null) !== record.document) fields.push('document');
    const metadata = compareMetadata(page.metadatas?.[index] ?? null, record.metadata);
    for (const difference of metadata.differences) fields.push(`metadata.${difference}`);
    for (const key of metadata.sparseNotCarried) verdict.sparseNotCarried[key] = (verdict.sparseNotCarried[key] ?? 0) + 1;
    if (!sameEmbedding(page.embeddings?.[index] ?? null, record.embedding, space)) fields.push('embedding');
    if ((page.uris?.[index] ?? null) !== record.uri) fields.push('uri');
    if (fields.length > 0) {
      verdict.differing++;
      if (verdict.differingIds.length < LISTED) verdict.differingIds.push({ id: record.id, fields });
    }
  }
}

/**
 * Chroma stores float32, so compare at that precision. In "cosine" space the server normalises
 * vectors and gives some values back a float32 step or two off (3 → 3.0000002; measured on the
 * bundled 1.5.9 over 18,832 values of 16-d vectors: 75% exact, 25% one step, 2 values two
 * steps): there a value may be two steps away; in "l2" and "ip" it must be the same float32.
 */
export function sameEmbedding(stored: Embedding | null, expected: Embedding | null, space: Space | null = 'l2'): boolean {
  if (stored === null || expected === null) return stored === expected;
  if (stored.length !== expected.length) return false;
  const steps = space === 'cosine' ? COSINE_STEPS : 0;
  for (let i = 0; i < stored.length; i++) {
    const value = Math.fround(stored[i]!);
    const want = Math.fround(expected[i]!);
    if (value !== want && !(float32Distance(value, want) <= steps)) return false;
  }
  return true;
}

const COSINE_STEPS = 2;
const F32 = new Float32Array(1);
const BITS = new Int32Array(F32.buffer);

/** How many float32 values lie between a and b (both float32): their bits in one ordered line. */
function float32Distance(a: number, b: number): number {
  return Math.abs(orderedBits(a) - orderedBits(b));
}

function orderedBits(value: number): number {
  F32[0] = value;
  const bits = BITS[0]!;
  // Negative floats count down from zero: mirror them so the line runs -max … -0 = +0 … +max.
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}
