/**
 * The last word on the ids a closing check found on one side only: each one asked for at the
 * source by id before the verdict. A listing is the source as it was while listed, not as it is
 * when the verdict is given: an id only the source listed may have been deleted there since (the
 * target lacking it is then no loss), and an id only the target listed may be one the source
 * holds though its listing did not have it. The export's end check and a prune ask the same way
 * (end-check.ts, sync). Nothing is asked when both sides listed the same ids: no request more
 * when nothing differs.
 */
import type { ChromaApi } from '../../chroma/api.js';
import { idsHeld, type IdListOptions } from '../../chroma/id-list.js';
import { CompactIdSet } from '../../util/compact-ids.js';
import type { AlsoCompare, Confirmed, IdDifference, InBackup } from './id-sets.js';

/** The source collection to ask, found only when some id is one-sided (null: the source has none now). */
export type SourceToAsk = () => Promise<{ api: ChromaApi; collectionId: string; options: IdListOptions } | null>;

/** A comparison of the two sides, told what the source answered by id (and the backup's ids, when read). */
export type Compare = (inBackup?: InBackup, also?: AlsoCompare) => IdDifference;

/**
 * The comparison once every one-sided id has been asked for at the source: those the source no
 * longer holds leave the source's side, those it holds join it. Then `refine` (the backup's
 * ids, for a copy) with the same answers.
 */
export async function confirmedDifference(compare: Compare, source: SourceToAsk, refine?: (again: (inBackup: InBackup) => IdDifference, found: IdDifference) => Promise<IdDifference>): Promise<IdDifference> {
  const oneSided = { sourceOnly: new CompactIdSet(), targetOnly: new CompactIdSet() };
  const first = compare(undefined, { oneSided });
  const confirmed = oneSided.sourceOnly.size + oneSided.targetOnly.size > 0 ? await askSource(source, oneSided) : null;
  const also: AlsoCompare = confirmed ? { confirmed } : {};
  const found = confirmed ? compare(undefined, also) : first;
  return refine ? refine((inBackup) => compare(inBackup, also), found) : found;
}

/** What the source answers by id for the one-sided ids; null when the collection is gone from it (the listing stands). */
async function askSource(source: SourceToAsk, oneSided: { sourceOnly: CompactIdSet; targetOnly: CompactIdSet }): Promise<Confirmed | null> {
  const at = await source();
  if (!at) return null;
  const { api, collectionId, options } = at;
  const stillHeld = await idsHeld(api, collectionId, oneSided.sourceOnly, options);
  const gone = new Set<string>();
  for (let at = 0; at < oneSided.sourceOnly.size; at++) {
    const id = oneSided.sourceOnly.idAt(at);
    if (!stillHeld.has(id)) gone.add(id);
  }
  const held = oneSided.targetOnly.size > 0 ? await idsHeld(api, collectionId, oneSided.targetOnly, options) : new Set<string>();
  return { gone, held };
}
