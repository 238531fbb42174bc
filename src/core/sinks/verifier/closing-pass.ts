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
import { checkIdsAgainstSource, checkIdsTargetFirst, checkListedIds, listSourceIds } from './source-pass.js';
import type { IdsAgainst } from '../../util/ids-against.js';

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
  /** The copy's backup file, once finished: read for a collection whose target lacks ids the source holds (were they in it?). */
  backup?: () => Promise<string>;
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
 * One collection's closing id check, as it can begin: its verdict may still be on its way (a
 * copy's live comparison finishing its last reads) when the source's side is already listed.
 */
export interface IdCheck {
  sourceName: string;
  /** Records the collection should hold: a large one's two id sets take real memory. */
  expected: number;
  /** The verdict to complete; when it rejects (its comparison failed), the check is skipped. */
  verdict: CollectionVerdict | Promise<CollectionVerdict>;
  /** Ids set aside as refused (--skip-invalid): not expected on the target. */
  refused?: ReadonlySet<string>;
  /** The target collection as the verdict read it, asked once the verdict is in (listed by that id instead of looked up again). */
  found?: () => CollectionInfo | null;
  /**
   * Both sides listed already, once every record sent had landed (a copy's last collection: its
   * export's end check listed the source then): the source's ids, and the target's when nothing
   * was sent or deleted there after they were listed (null: list the target now). Both against
   * the export file's ids (ids-against.ts): that set is the only one held.
   */
  listed?: { source: IdsAgainst; target: Promise<IdsAgainst | null> | null };
}

/**
 * Every collection's ids against the source's ids as they are now, both ways, many collections
 * at a time (closingWidth; the large ones `parallel` at a time). Each one's source side is listed
 * as its turn comes, beside its verdict's end; a large one's on Cloud after its target side, read
 * back by id against it (checkIdsTargetFirst). Answers, index for index, whether it was checked
 * (false: its verdict rejected, and the caller compares it another way).
 */
export async function checkAllIdsAgainstSource(checks: IdCheck[], sides: Sides & { parallel: number }): Promise<boolean[]> {
  const { parallel, backup, ...endpoints } = sides;
  const checked = checks.map(() => false);
  const check = async (index: number) => {
    const { sourceName, verdict, refused, found, listed, expected } = checks[index] as IdCheck;
    // A large collection on Cloud: the target is listed first and the source read back by id against it.
    const targetFirst = !listed && endpoints.source.cloud && expected > SMALL_ID_CHECK;
    const sourceIds = listed || targetFirst ? undefined : listSourceIds(endpoints.source, sourceName, endpoints.signal);
    sourceIds?.catch(() => undefined); // awaited in checkIdsAgainstSource
    const complete = await Promise.resolve(verdict).catch(() => null);
    if (!complete) return;
    const targetInfo = found?.();
    const also = { ...(refused ? { refused } : {}), ...(targetInfo ? { targetInfo } : {}), ...(backup ? { backup: { file: backup, collection: sourceName } } : {}) };
    if (listed) await checkListedIds(complete, sourceName, { ...endpoints, ...also, listed });
    else if (targetFirst) await checkIdsTargetFirst(complete, sourceName, { ...endpoints, ...also });
    else await checkIdsAgainstSource(complete, sourceName, { ...endpoints, ...(sourceIds ? { sourceIds } : {}), ...also });
    checked[index] = true;
  };
  // A large collection's two id sets take real memory (~25–50 bytes an id, each side): those go
  // `parallel` at a time, as they were copied, and no more at once than LARGE_ID_CHECKS_HOLD
  // records between them; the small ones, most of a many-collection copy, wide.
  const indexes = checks.map((_, index) => index);
  const expected = (index: number) => (checks[index] as IdCheck).expected;
  await inParallel(indexes.filter((index) => expected(index) > SMALL_ID_CHECK), parallel, check, { weight: expected, budget: LARGE_ID_CHECKS_HOLD });
  await inParallel(indexes.filter((index) => expected(index) <= SMALL_ID_CHECK), closingWidth(parallel), check);
  return checked;
}

/** Up to this many records a collection's id check is small: two lists of at most ~1 MB each. */
const SMALL_ID_CHECK = 10_000;

/**
 * Records whose id checks run at once, summed over the large collections being checked: each
 * holds both sides' ids (12 bytes plus the id's own, a side), so a million of them is ~50 MB of
 * short ids and ~100 MB of UUIDs. Four collections of a million, checked `parallel` at a time,
 * would have held four times that; now they go one after another, and ten of 100k still four
 * at a time. One heavier than this still runs, alone.
 */
const LARGE_ID_CHECKS_HOLD = 1_000_000;

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
