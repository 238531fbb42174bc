/**
 * Two collections' ids compared both ways, each side listed into a compact set (CompactIdSet,
 * listIdSet) as its pages arrive: 1M ids a side took 75 MB so (138 MB with UUIDs), against 217
 * (280) as arrays of strings with Sets over them. The comparison is exact (bytes, not hashes):
 * every missing and every extra id is counted, and the first ones are named.
 */
import type { CompactIdSet } from '../../util/compact-ids.js';

/** What the target lacks and holds beyond the source: counts, and the first `named` ids of each. */
export interface IdDifference {
  missing: number;
  missingIds: string[];
  extra: number;
  extraIds: string[];
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
