/**
 * Two collections' ids compared both ways, each side listed into a compact set (CompactIdSet) as
 * its pages arrive: at a million records the sides take tens of MB instead of the ~400 MB two
 * arrays of strings and two Sets over them would. The comparison is exact (bytes, not hashes):
 * every missing and every extra id is counted, and the first ones are named.
 */
import type { ChromaApi } from '../../chroma/api.js';
import { streamIds, type IdListOptions } from '../../chroma/id-list.js';
import { CompactIdSet } from '../../util/compact-ids.js';

/** What the target lacks and holds beyond the source: counts, and the first `named` ids of each. */
export interface IdDifference {
  missing: number;
  missingIds: string[];
  extra: number;
  extraIds: string[];
}

/** The collection's ids as one listing the count confirms (or the last one read), held compactly. */
export async function listIdSet(api: ChromaApi, collectionId: string, options: IdListOptions): Promise<CompactIdSet> {
  let set = new CompactIdSet();
  await streamIds(api, collectionId, options, {
    begin: (expected) => {
      set = new CompactIdSet(expected);
      return {
        page: (ids) => {
          for (const id of ids) set.add(id);
        },
        distinct: () => set.size,
      };
    },
  });
  return set;
}

/**
 * The source's ids against the target's: missing in the source's order, extra in the target's.
 * `refused`: source ids the target lacks by choice (set aside as refused), neither missing nor
 * expected; one the target holds anyway counts as extra.
 */
export function differences(source: CompactIdSet, target: CompactIdSet, refused: ReadonlySet<string> | undefined, named: number): IdDifference {
  const excused = (index: number) => refused !== undefined && refused.size > 0 && refused.has(source.idAt(index));
  const found = new Uint8Array(source.size);
  const result: IdDifference = { missing: 0, missingIds: [], extra: 0, extraIds: [] };
  for (let index = 0; index < target.size; index++) {
    const at = source.indexOfIdIn(target, index);
    if (at >= 0 && !excused(at)) {
      found[at] = 1;
      continue;
    }
    result.extra++;
    if (result.extraIds.length < named) result.extraIds.push(target.idAt(index));
  }
  for (let index = 0; index < source.size; index++) {
    if (found[index] === 1 || excused(index)) continue;
    result.missing++;
    if (result.missingIds.length < named) result.missingIds.push(source.idAt(index));
  }
  return result;
}
