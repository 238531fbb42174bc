/**
 * How well the target's index finds neighbours: recall@k of its answers against the true k
 * nearest neighbours, computed here by brute force over the records themselves (the backup or
 * the source) with the collection's space. A measure of the index, never the verdict: HNSW is
 * approximate (a record's own vector need not come back first, and in "ip" the nearest is the
 * largest dot product, not the record itself), so equal data can still score below 1.
 */
import type { BackupRecord, Embedding, Space } from '../../model/record.js';
import type { ChromaApi, QueryAnswer } from '../../chroma/api.js';
import { MigrateError } from '../../util/errors.js';
import { inParallel } from '../../util/pool.js';

export interface IndexRecall {
  /** Neighbours asked for per query (at most the number of records). */
  k: number;
  /** Records whose vector was sent as a query. */
  sampled: number;
  /** Mean share of the true k nearest the target returned, 0–1; null when nothing was sampled. */
  recall: number | null;
  /** The target's `ef_search`, when it says: raising it is what raises recall. */
  efSearch: number | null;
  /** Below LOW_RECALL: worth a warning (the data is not in question). */
  low: boolean;
  /** The first few sampled ids whose answer missed a true neighbour. */
  missedIds: string[];
}

/** Neighbours per query unless told otherwise. */
export const DEFAULT_K = 10;
/** Below this the index answers noticeably worse than an exact search would. */
export const LOW_RECALL = 0.9;
const LISTED = 10;
/**
 * Results one query request may ask for in all (its embeddings × k): Chroma Cloud answers at
 * most 300 results per read. The samples go as few multi-embedding queries as that allows (20
 * samples at k = 10: one request instead of 20), a round trip or five less per collection.
 */
const RESULTS_PER_QUERY = 300;
const QUERIES_IN_FLIGHT = 2;

export function noRecall(k = DEFAULT_K): IndexRecall {
  return { k, sampled: 0, recall: null, efSearch: null, low: false, missedIds: [] };
}

interface Neighbour {
  distance: number;
  id: string;
}

/**
 * The k records nearest to each sample, by Chroma's own distances (rust/index: squared l2,
 * 1 − cosine similarity, 1 − dot product), in one pass over every record.
 */
export class TrueNeighbours {
  private readonly queries: Float64Array[];
  private readonly norms: number[];
  private readonly best: Neighbour[][];
  private records = 0;

  constructor(
    readonly samples: BackupRecord[],
    readonly space: Space,
    private readonly k: number,
  ) {
    this.queries = samples.map((sample) => Float64Array.from(sample.embedding ?? []));
    this.norms = this.queries.map(norm);
    this.best = samples.map(() => []);
  }

  add(records: readonly BackupRecord[]): void {
    const { queries, norms, space } = this;
    for (const record of records) {
      const vector = record.embedding;
      if (!vector) continue;
      this.records++;
      const length = space === 'cosine' ? norm(vector) : 1;
      // Every sample against this record in one plain loop: this runs samples × records ×
      // dimensions times (20 × 20k × 384 in a copy), where a callback per sample cost a third.
      for (let index = 0; index < queries.length; index++) {
        const query = queries[index]!;
        if (query.length !== vector.length) continue;
        const distance = space === 'l2' ? squaredDistance(query, vector) : dotDistance(query, norms[index]!, vector, length, space);
        this.offer(index, distance, record.id);
      }
    }
  }

  /** k as it can be: never more than the records there are. */
  get effectiveK(): number {
    return Math.min(this.k, this.records);
  }

  neighbours(index: number): Neighbour[] {
    return this.best[index]!;
  }

  private offer(index: number, distance: number, id: string): void {
    const list = this.best[index]!;
    if (list.length === this.k && distance >= list[list.length - 1]!.distance) return;
    const candidate = { distance, id };
    let at = list.length;
    while (at > 0 && list[at - 1]!.distance > candidate.distance) at--;
    list.splice(at, 0, candidate);
    if (list.length > this.k) list.pop();
  }
}

/** Chroma's l2: the squared distance. */
function squaredDistance(query: Float64Array, vector: Embedding): number {
  // Four sums side by side: one sum waits on each addition before the next, four keep the
  // processor busy (twice as fast, measured). The order of additions changes the last bits only.
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const end = query.length - (query.length % 4);
  let i = 0;
  for (; i < end; i += 4) {
    const d0 = query[i]! - vector[i]!;
    const d1 = query[i + 1]! - vector[i + 1]!;
    const d2 = query[i + 2]! - vector[i + 2]!;
    const d3 = query[i + 3]! - vector[i + 3]!;
    a += d0 * d0;
    b += d1 * d1;
    c += d2 * d2;
    d += d3 * d3;
  }
  for (; i < query.length; i++) {
    const di = query[i]! - vector[i]!;
    a += di * di;
  }
  return a + b + c + d;
}

/** Chroma's ip (1 − dot product) and cosine (1 − cosine similarity). */
function dotDistance(query: Float64Array, queryNorm: number, vector: Embedding, vectorNorm: number, space: Space): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const end = query.length - (query.length % 4);
  let i = 0;
  for (; i < end; i += 4) {
    a += query[i]! * vector[i]!;
    b += query[i + 1]! * vector[i + 1]!;
    c += query[i + 2]! * vector[i + 2]!;
    d += query[i + 3]! * vector[i + 3]!;
  }
  for (; i < query.length; i++) a += query[i]! * vector[i]!;
  const sum = a + b + c + d;
  if (space === 'ip') return 1 - sum;
  return 1 - sum / (queryNorm * vectorNorm || 1);
}

function norm(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  return Math.sqrt(sum);
}

export interface RecallTarget {
  api: ChromaApi;
  call: <T>(work: () => Promise<T>) => Promise<T>;
  collectionId: string;
  efSearch: number | null;
  signal?: AbortSignal;
}

/**
 * Queries the target with each sample and scores its answer against the true neighbours. An
 * answer counts when it is one of them, or as near as the k-th (ties between equal vectors:
 * either of two duplicates is a right answer).
 */
export async function measureRecall(truth: TrueNeighbours, target: RecallTarget): Promise<IndexRecall> {
  const k = truth.effectiveK;
  const result: IndexRecall = { ...noRecall(k), efSearch: target.efSearch };
  if (k === 0 || truth.samples.length === 0) return result;
  const perRequest = Math.max(1, Math.floor(RESULTS_PER_QUERY / k));
  const starts: number[] = [];
  for (let from = 0; from < truth.samples.length; from += perRequest) starts.push(from);
  const answers = await inParallel(starts, QUERIES_IN_FLIGHT, (from) => queryChunk(target, truth.samples.slice(from, from + perRequest), k));
  let total = 0;
  truth.samples.forEach((sample, index) => {
    const answer = answers[Math.floor(index / perRequest)]!;
    const offset = index % perRequest;
    const score = scoreAnswer(truth.neighbours(index), answer.ids[offset] ?? [], answer.distances?.[offset] ?? [], k);
    result.sampled++;
    total += score;
    if (score < 1 && result.missedIds.length < LISTED) result.missedIds.push(sample.id);
  });
  result.recall = total / result.sampled;
  result.low = result.recall < LOW_RECALL;
  return result;
}

/** One request for several samples; an answer that does not hold one list per sample is not Chroma's. */
async function queryChunk(target: RecallTarget, samples: BackupRecord[], k: number): Promise<QueryAnswer> {
  const answer = await target.call(() => target.api.query(target.collectionId, { embeddings: samples.map((sample) => sample.embedding as Embedding), nResults: k }, { signal: target.signal }));
  if (!Array.isArray(answer.ids) || answer.ids.length !== samples.length) {
    throw new MigrateError('SERVER', `A query of ${samples.length} embeddings was answered with ${Array.isArray(answer.ids) ? answer.ids.length : 'no'} result lists.`, 'Check that the target is a Chroma server, then run verify again.');
  }
  return answer;
}

function scoreAnswer(expected: Neighbour[], ids: string[], distances: number[], k: number): number {
  if (expected.length === 0) return 1;
  const wanted = new Set(expected.map((neighbour) => neighbour.id));
  const kth = expected[expected.length - 1]!.distance;
  // The server computes in float32: allow for its rounding when comparing with the k-th distance.
  const slack = 1e-5 * Math.max(1, Math.abs(kth));
  let hits = 0;
  ids.slice(0, k).forEach((id, index) => {
    const distance = distances[index];
    if (wanted.has(id) || (distance !== undefined && distance <= kth + slack)) hits++;
  });
  return Math.min(hits, expected.length) / expected.length;
}
