import { inspectBackup, readRecords } from './backup/read.js';
import type { BackupRecord, BackupSummary, Embedding, Metadata } from './backup/types.js';
import { ChromaApi, type GetPage } from './chroma/api.js';
import type { Endpoint } from './chroma/endpoint.js';
import { explainRequestError } from './chroma/explain.js';
import { fraction } from './format.js';
import { ignoreProgress, type ProgressListener } from './progress.js';
import { withRetry } from './retry.js';
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
  differingIds: Array<{ id: string; fields: string[] }>;
  selfQuery: { sampled: number; first: number; failedIds: string[] };
  ok: boolean;
}

export interface VerifyResult {
  summary: BackupSummary;
  collections: CollectionVerdict[];
  ok: boolean;
}

const LISTED = 20;

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
  const wanted = options.collections && options.collections.length > 0 ? options.collections : summary.collections.map((header) => header.name);
  const verdicts: CollectionVerdict[] = [];

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
      selfQuery: { sampled: 0, first: 0, failedIds: [] },
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
    progress({ type: 'collection-start', collection: name, total: header.count, done: 0, resumed: false });

    const sampleEvery = Math.max(1, Math.floor(header.count / Math.max(1, options.sample ?? 20)));
    const samples: BackupRecord[] = [];
    let seen = 0;
    for await (const batch of readRecords(options.input, sourceName, { batchSize: 250, signal })) {
      const page = await call(() =>
        api.get(info.id, { ids: batch.map((record) => record.id), include: ['embeddings', 'documents', 'metadatas', 'uris'] }, { signal }),
      );
      compareBatch(batch, page, verdict);
      for (const record of batch) {
        if (record.embedding && seen % sampleEvery === 0 && samples.length < (options.sample ?? 20)) samples.push(record);
        seen++;
      }
      progress({ type: 'batch', collection: name, done: verdict.compared, total: header.count });
    }

    for (const record of samples) {
      const answer = await call(() => api.query(info.id, { embeddings: [record.embedding as Embedding], nResults: 3 }, { signal }));
      verdict.selfQuery.sampled++;
      if (rankedFirst(record.id, answer.ids[0] ?? [], answer.distances?.[0] ?? [])) verdict.selfQuery.first++;
      else verdict.selfQuery.failedIds.push(record.id);
    }
    // More records than the backup is not a loss: step 7 ingests new data into the same collection.
    verdict.ok =
      verdict.missing === 0 && verdict.differing === 0 && (verdict.count ?? 0) >= header.count && verdict.selfQuery.first === verdict.selfQuery.sampled;
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

function compareBatch(batch: BackupRecord[], page: GetPage, verdict: CollectionVerdict): void {
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
    if (!sameMetadata(page.metadatas?.[index] ?? null, record.metadata)) fields.push('metadata');
    if (!sameEmbedding(page.embeddings?.[index] ?? null, record.embedding)) fields.push('embedding');
    if ((page.uris?.[index] ?? null) !== record.uri) fields.push('uri');
    if (fields.length > 0) {
      verdict.differing++;
      if (verdict.differingIds.length < LISTED) verdict.differingIds.push({ id: record.id, fields });
    }
  }
}

/**
 * Chroma stores float32, so compare at that precision — with a little slack: in "cosine" space
 * the server normalises vectors and gives back values a float32 ulp or two off (3 → 3.0000002,
 * measured on Chroma 1.0). The slack is relative to the vector's largest component, a million
 * times finer than any difference that would change a search result.
 */
export const EMBEDDING_TOLERANCE = 1e-6;

export function sameEmbedding(stored: Embedding | null, expected: Embedding | null): boolean {
  if (stored === null || expected === null) return stored === expected;
  if (stored.length !== expected.length) return false;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  const slack = scale * EMBEDDING_TOLERANCE;
  for (let i = 0; i < stored.length; i++) {
    const value = stored[i]!;
    const want = Math.fround(expected[i]!);
    if (Math.fround(value) !== want && !(Math.abs(value - want) <= slack)) return false;
  }
  return true;
}

/** Empty and null metadata are the same to Chroma. Numbers compare at float32 for floats written as such. */
export function sameMetadata(stored: Metadata | null, expected: Metadata | null): boolean {
  const a = stored ?? {};
  const b = expected ?? {};
  const keys = Object.keys(b).filter((key) => !key.startsWith('chroma:'));
  if (Object.keys(a).filter((key) => !key.startsWith('chroma:')).length !== keys.length) return false;
  return keys.every((key) => {
    const left = a[key];
    const right = b[key];
    if (typeof left === 'number' && typeof right === 'number') return left === right || Math.fround(left) === Math.fround(right);
    return left === right;
  });
}
