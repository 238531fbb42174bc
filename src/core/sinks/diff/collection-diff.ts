/**
 * How a target collection differs from its source collection: the ids only the source has
 * (added), only the target has (removed), and those on both whose records differ (changed),
 * compared as verify compares. Reads only, on both sides. The source's ids are held as one
 * compact set and the target's listed against it (marks, and only the ids the source lacks
 * kept, util/ids-against.ts): no array or Set of every id, at a million of them.
 *
 * An id only the target has is removed only once the source, asked for it by id, lacks it: an
 * offset listing that agrees with the count can still miss an id when the source deletes one
 * record and adds another while it is read (the pages after the delete shift by one), and a
 * prune on that listing alone deleted a record the source held.
 */
import type { Space } from '../../model/record.js';
import type { ChromaApi } from '../../chroma/api.js';
import { forIdListing, idsHeld, listIdSet, listIdsAgainst, recordsByIds, type ByIdOptions, type IdPages } from '../../chroma/id-list.js';
import { CompactIdSet, CompactIdSubset } from '../../util/compact-ids.js';
import type { IdsAgainst } from '../../util/ids-against.js';
import type { ProgressListener } from '../../util/progress.js';
import { recordDifferences, staleValues } from './record-diff.js';

export interface Side {
  api: ChromaApi;
  collectionId: string;
  read: ByIdOptions;
}

export interface CollectionDiff {
  sourceCount: number;
  targetCount: number;
  /** In the source's order: the source's ids by index, not a second set of them. */
  added: IdPages;
  /** In the target's order; each one asked for at the source by id, and absent there. */
  removed: CompactIdSet;
  changed: ChangedIds;
  /**
   * On the target, missed by the source's listing, yet held by the source when asked for by id:
   * the source changed while it was listed. Not compared: a sync sends them from the source.
   */
  misListed: CompactIdSet;
}

/** Nothing left to send: every source record is on the target and equal (and, pruning, nothing else there). */
export function inSync(diff: Pick<CollectionDiff, 'added' | 'changed' | 'removed' | 'misListed'>, pruned: boolean): boolean {
  return diff.added.size === 0 && diff.changed.size === 0 && diff.misListed.size === 0 && (!pruned || diff.removed.size === 0);
}

/** Ids on both sides whose records differ, in the source's order; the first few with the fields that differ. */
interface ChangedIds extends IdPages {
  first: ChangedRecord[];
  /** Those an upsert of the source's record mends. */
  plain: IdPages;
  /**
   * Those whose target copy holds a value the source's lacks (a metadata key, a document, a
   * uri), which an upsert leaves in place: written exactly (exact-upsert.ts).
   */
  stale: IdPages;
  /** Of the stale, how many lack a document or uri the target holds: replaced whole (deleted, then written). */
  whole: number;
}

/** Nothing changed: a collection the target lacks has nothing to compare. */
export function noChanges(): ChangedIds {
  const none = { size: 0, slice: () => [] };
  return { ...none, first: [], plain: none, stale: none, whole: 0 };
}

interface ChangedRecord {
  id: string;
  fields: string[];
}

/** Changed records named with their fields: a report shows a few, and a million would each hold an object. */
const CHANGED_NAMED = 20;

export async function diffCollection(
  name: string,
  source: Side,
  target: Side,
  options: { space: Space | null; progress: ProgressListener },
): Promise<CollectionDiff> {
  const sourceIds = await listIdSet(source.api, source.collectionId, forIdListing({ ...source.read, name }));
  const onTarget = await listIdsAgainst(target.api, target.collectionId, sourceIds, forIdListing({ ...target.read, name }));
  const changed = await changedRecords(name, source, target, { ...options, sourceIds, onTarget });
  const added = new CompactIdSubset(sourceIds);
  for (let at = 0; at < sourceIds.size; at++) if (!onTarget.has(at)) added.add(at);
  const { gone, held } = await askSource(source, onTarget.outside);
  return { sourceCount: sourceIds.size, targetCount: onTarget.size, added, removed: gone, changed, misListed: held };
}

/** Ids the source's listing lacks, asked for at the source by id: those it lacks (gone) and those it holds after all. */
export async function askSource(source: Side, ids: CompactIdSet): Promise<{ gone: CompactIdSet; held: CompactIdSet }> {
  const found = ids.size === 0 ? new Set<string>() : await idsHeld(source.api, source.collectionId, ids, source.read);
  const gone = new CompactIdSet(ids.size - found.size);
  const held = new CompactIdSet(found.size);
  for (let at = 0; at < ids.size; at++) {
    const id = ids.idAt(at);
    (found.has(id) ? held : gone).add(id);
  }
  return { gone, held };
}

/** The ids on both sides, in the source's order, read by id a chunk at a time and compared. */
async function changedRecords(
  name: string,
  source: Side,
  target: Side,
  options: { space: Space | null; progress: ProgressListener; sourceIds: CompactIdSet; onTarget: IdsAgainst },
): Promise<ChangedIds> {
  const { sourceIds, onTarget, progress } = options;
  let total = 0;
  for (let at = 0; at < sourceIds.size; at++) if (onTarget.has(at)) total++;
  const changed = Object.assign(new CompactIdSubset(sourceIds), { first: [] as ChangedRecord[], plain: new CompactIdSubset(sourceIds), stale: new CompactIdSubset(sourceIds), whole: 0 });
  const chunk = Math.min(source.read.pageSize, target.read.pageSize);
  progress({ type: 'collection-start', collection: name, total, done: 0, resumed: false });
  let next = 0;
  for (let from = 0; from < total; from += chunk) {
    const ids: string[] = [];
    const indexOf = new Map<string, number>();
    for (; next < sourceIds.size && ids.length < chunk; next++) {
      if (!onTarget.has(next)) continue;
      const id = sourceIds.idAt(next);
      ids.push(id);
      indexOf.set(id, next);
    }
    const [fromSource, fromTarget] = await Promise.all([firstPage(recordsByIds(source.api, source.collectionId, ids, source.read)), firstPage(recordsByIds(target.api, target.collectionId, ids, target.read))]);
    const stored = new Map(fromTarget.map((record) => [record.id, record]));
    for (const expected of fromSource) {
      const have = stored.get(expected.id);
      // Gone from either side between the id scan and this read: the next run sees it as it is then.
      if (!have) continue;
      const fields = recordDifferences(have, expected, options.space);
      if (fields.length === 0) continue;
      const index = indexOf.get(expected.id)!;
      changed.add(index);
      const stale = staleValues(have, expected);
      if (stale.whole) changed.whole++;
      (stale.whole || stale.keys.length > 0 ? changed.stale : changed.plain).add(index);
      if (changed.first.length < CHANGED_NAMED) changed.first.push({ id: expected.id, fields });
    }
    progress({ type: 'batch', collection: name, done: Math.min(from + chunk, total), total });
  }
  progress({ type: 'collection-done', collection: name, done: total, total });
  return changed;
}

async function firstPage<T>(pages: AsyncGenerator<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}
