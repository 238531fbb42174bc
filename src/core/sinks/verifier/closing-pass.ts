/**
 * A copy's closing checks over all its collections at once: the index's recall of each one
 * compared as it landed, then every collection's ids against the source as it is now. The true
 * neighbours were found as the records streamed by (streamed-truth.ts); the finished file is
 * read, once for all collections, only for those whose file holds other records than streamed
 * by (a file of 100 collections read once per collection cost the client ten times the CPU of
 * the copy itself). The network round trips of each collection's checks (find, self-queries, id
 * lists) overlap with other collections', at most `parallel` collections at a time, each within
 * its own read limits.
 */
import { ChromaApi, spaceOf } from '../../chroma/api.js';
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
  const { target, signal, parallel } = sides;
  const api = new ChromaApi(target);
  const call = <T>(work: () => Promise<T>) => retryExplained(target, work, { signal });
  // The collection as the target has it now: its id, space and ef_search.
  const found = await inParallel(landed, parallel, async ({ verdict, truth }) => {
    if (truth.samples.length === 0 || !verdict.exists) return null;
    const info = await call(() => api.findCollection(verdict.collection, { signal }));
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
 * Every collection's ids against the source's ids as they are now, both ways, `parallel`
 * collections at a time. `refused`, index for index: ids set aside (--skip-invalid), not expected.
 */
export async function checkAllIdsAgainstSource(
  verdicts: CollectionVerdict[],
  sourceNames: string[],
  sides: Sides & { parallel: number; refused: Array<ReadonlySet<string> | undefined> },
): Promise<void> {
  const { parallel, refused, ...endpoints } = sides;
  await inParallel(verdicts, parallel, (verdict, index) => {
    const set = refused[index];
    return checkIdsAgainstSource(verdict, sourceNames[index] as string, { ...endpoints, ...(set ? { refused: set } : {}) });
  });
}
