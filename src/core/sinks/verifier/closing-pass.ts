/**
 * A copy's closing checks over all its collections at once: the index's recall of each one
 * compared as it landed, then every collection's ids against the source as it is now. The
 * finished file is read once for all collections' true neighbours (a file of 100 collections
 * read once per collection cost the client ten times the CPU of the copy itself), and the
 * network round trips of each collection's checks (find, self-queries, id lists) overlap with
 * other collections', at most `parallel` collections at a time, each within its own read limits.
 */
import type { BackupRecord } from '../../model/record.js';
import { ChromaApi, spaceOf } from '../../chroma/api.js';
import type { Endpoint } from '../../chroma/endpoint.js';
import { retryExplained } from '../../chroma/explain.js';
import { factsOf } from '../../collection/compare.js';
import { readCollections } from '../../backup/read.js';
import { inParallel } from '../../util/pool.js';
import type { CollectionVerdict } from './checker.js';
import { DEFAULT_K, measureRecall, TrueNeighbours } from './recall.js';
import { checkIdsAgainstSource } from './source-pass.js';

/** A collection compared as it landed: its verdict, under its name in the file, and its recall samples. */
export interface LandedCollection {
  sourceName: string;
  verdict: CollectionVerdict;
  samples: BackupRecord[];
}

interface Sides {
  source: Endpoint;
  target: Endpoint;
  signal?: AbortSignal;
}

/**
 * Each landed collection's recall@k into its verdict: its samples' true neighbours among all its
 * records in the file (one pass over the file for all of them), then its self-queries.
 */
export async function measureRecallOfLanded(file: string, landed: LandedCollection[], sides: Sides & { parallel: number }): Promise<void> {
  const { target, signal, parallel } = sides;
  const api = new ChromaApi(target);
  const call = <T>(work: () => Promise<T>) => retryExplained(target, work, { signal });
  // The collection as the target has it now: its id, space and ef_search.
  const found = await inParallel(landed, parallel, async ({ verdict, samples }) => {
    if (samples.length === 0 || !verdict.exists) return null;
    const info = await call(() => api.findCollection(verdict.collection, { signal }));
    return info ? { info, truth: new TrueNeighbours(samples, spaceOf(info) ?? 'l2', DEFAULT_K) } : null;
  });
  const truths = new Map<string, TrueNeighbours>();
  landed.forEach(({ sourceName }, index) => {
    const truth = found[index]?.truth;
    if (truth) truths.set(sourceName, truth);
  });
  if (truths.size === 0) return;
  for await (const { collection, records } of readCollections(file, [...truths.keys()], { batchSize: 1000, signal })) truths.get(collection)?.add(records);
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
