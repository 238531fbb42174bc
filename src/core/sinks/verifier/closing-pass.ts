/**
 * A copy's closing checks over all its collections at once: the index's recall of each one
 * compared as it landed, then every collection's ids against the source as it is now. The true
 * neighbours were found as the records streamed by (streamed-truth.ts); the finished file is
 * read, once for all collections, only for those whose file holds other records than streamed
 * by (a file of 100 collections read once per collection cost the client ten times the CPU of
 * the copy itself). The network round trips of each collection's checks (find, self-queries, id
 * lists) overlap with other collections', many collections at a time (closingWidth), each within
 * its own read limits.
 */
import { ChromaApi, spaceOf, type CollectionInfo } from '../../chroma/api.js';
import type { Endpoint } from '../../chroma/endpoint.js';
import { retryExplained } from '../../chroma/explain.js';
import { factsOf } from '../../collection/compare.js';
import { readCollections } from '../../backup/read.js';
import { inParallel } from '../../util/pool.js';
import type { CollectionVerdict } from './checker.js';
import { DEFAULT_K, measureRecall, TrueNeighbours } from './recall.js';
import type { StreamedTruth } from './streamed-truth.js';
import { checkIdsAgainstSource } from './source-pass.js';

/** A collection compared as it landed: its verdict, under its name in the file, and its recall truth so far. */
export interface LandedCollection {
  sourceName: string;
  verdict: CollectionVerdict;
  truth: StreamedTruth;
  /**
   * The target collection as its verdict's own check read it once every record had landed (its
   * id, space and ef_search; where its settings were checked): queried by that id, not looked up again.
   */
  found: CollectionInfo | null;
}

interface Sides {
  source: Endpoint;
  target: Endpoint;
  signal?: AbortSignal;
}

/**
 * Each landed collection's recall@k into its verdict: its samples' true neighbours among all its
 * records (as they streamed by, or from one pass over the file for all that need it), then its
 * self-queries.
 */
export async function measureRecallOfLanded(file: string, landed: LandedCollection[], sides: Sides & { parallel: number }): Promise<void> {
  const { target, signal } = sides;
  const parallel = closingWidth(sides.parallel);
  const api = new ChromaApi(target);
  const call = <T>(work: () => Promise<T>) => retryExplained(target, work, { signal });
  const found = await inParallel(landed, parallel, async ({ verdict, truth, found }) => {
    if (truth.samples.length === 0 || !verdict.exists) return null;
    const info = found ?? (await call(() => api.findCollection(verdict.collection, { signal })));
    if (!info) return null;
    const space = spaceOf(info) ?? 'l2';
    const streamed = truth.whole(space);
    return { info, streamed: streamed !== null, truth: streamed ?? new TrueNeighbours(truth.samples, space, DEFAULT_K) };
  });
  const fromFile = new Map<string, TrueNeighbours>();
  landed.forEach(({ sourceName }, index) => {
    const measured = found[index];
    if (measured && !measured.streamed) fromFile.set(sourceName, measured.truth);
  });
  if (fromFile.size > 0) {
    for await (const { collection, records } of readCollections(file, [...fromFile.keys()], { batchSize: 1000, signal })) fromFile.get(collection)?.add(records);
  }
  await inParallel(landed, parallel, async ({ verdict }, index) => {
    const measured = found[index];
    if (!measured) return;
    verdict.recall = await measureRecall(measured.truth, { api, call, collectionId: measured.info.id, efSearch: factsOf(measured.info).hnsw.ef_search ?? null, signal });
  });
}

/**
 * Every collection's ids against the source's ids as they are now, both ways, many collections
 * at a time (closingWidth; the large ones `parallel` at a time). Index for index: `refused`, ids
 * set aside (--skip-invalid), not expected; `found`, the target collection as its verdict read it
 * (listed by that id instead of being looked up again).
 */
export async function checkAllIdsAgainstSource(
  verdicts: CollectionVerdict[],
  sourceNames: string[],
  sides: Sides & { parallel: number; refused: Array<ReadonlySet<string> | undefined>; found?: Array<CollectionInfo | null> },
): Promise<void> {
  const { parallel, refused, found, ...endpoints } = sides;
  const check = (index: number) => {
    const set = refused[index];
    const targetInfo = found?.[index];
    return checkIdsAgainstSource(verdicts[index] as CollectionVerdict, sourceNames[index] as string, { ...endpoints, ...(set ? { refused: set } : {}), ...(targetInfo ? { targetInfo } : {}) });
  };
  // A large collection's two id sets take real memory (~25–50 bytes an id, each side): those go
  // `parallel` at a time, as they were copied; the small ones, most of a many-collection copy, wide.
  const indexes = verdicts.map((_, index) => index);
  await inParallel(indexes.filter((index) => (verdicts[index] as CollectionVerdict).expected > SMALL_ID_CHECK), parallel, check);
  await inParallel(indexes.filter((index) => (verdicts[index] as CollectionVerdict).expected <= SMALL_ID_CHECK), closingWidth(parallel), check);
}

/** Up to this many records a collection's id check is small: two lists of at most ~1 MB each. */
const SMALL_ID_CHECK = 10_000;

/**
 * Collections whose closing checks run at once: a few small requests each, every collection
 * within its own read limits (Cloud's are per collection), so many more can be checked at once
 * than copied. At `parallel` of them, 100 small collections spent most of their closing checks
 * waiting on round trips one after another.
 */
function closingWidth(parallel: number): number {
  return Math.min(CLOSING_WIDTH_MAX, parallel * 4);
}
const CLOSING_WIDTH_MAX = 32;
