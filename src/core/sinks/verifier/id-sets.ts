/**
 * Two collections' ids compared both ways, each side listed into a compact set (CompactIdSet,
 * listIdSet) as its pages arrive: 1M ids a side took 75 MB so (138 MB with UUIDs), against 217
 * (280) as arrays of strings with Sets over them. The comparison is exact (bytes, not hashes):
 * every missing and every extra id is counted, and the first ones are named.
 */
import type { CompactIdSet } from '../../util/compact-ids.js';
import type { IdsAgainst } from '../../util/ids-against.js';

/** What the target lacks and holds beyond the source: counts, and the first `named` ids of each. */
export interface IdDifference {
  missing: number;
  missingIds: string[];
  extra: number;
  extraIds: string[];
  /**
   * With `inBackup`: the ids the source holds and the target lacks that the backup does not hold
   * either (added at the source after it was read), counted here and not as missing.
   */
  added?: NamedIds;
}

/** A count, and the first of the ids it counts: a report names a few. */
export interface NamedIds {
  count: number;
  ids: string[];
}

/** One more id into `into`, named while fewer than `named` are. */
export function tally(into: NamedIds, id: () => string, named: number): void {
  into.count++;
  if (into.ids.length < named) into.ids.push(id());
}

/** Whether the backup holds an id: a copy's closing check tells a record lost on the way from one the source added since. */
export type InBackup = (id: string) => boolean;

/**
 * What the source answered when asked by id for the ids one side listed and the other did not
 * (one-sided.ts): a listing of the source is the source only as it was while listed. `gone`: ids
 * only the source listed that it no longer holds (deleted since, so not lost from the target);
 * `held`: ids only the target listed that the source holds (its listing missed them).
 */
export interface Confirmed {
  gone: ReadonlySet<string>;
  held: ReadonlySet<string>;
}

/** Every id only one side listed, filled by a comparison (not just the first few it names). */
interface OneSided {
  sourceOnly: CompactIdSet;
  targetOnly: CompactIdSet;
}

/** Beside a comparison: the source's answers by id to take into account, or where to put every one-sided id. */
export interface AlsoCompare {
  confirmed?: Confirmed;
  oneSided?: OneSided;
}

/** An id only the source listed: skipped when the source no longer holds it, else noted (and collected). */
function sourceOnly(id: () => string, also: AlsoCompare, note: () => void): void {
  const { confirmed, oneSided } = also;
  if (confirmed && confirmed.gone.size > 0 && confirmed.gone.has(id())) return;
  oneSided?.sourceOnly.add(id());
  note();
}

/** An id only the target listed: skipped when the source holds it after all, else noted (and collected). */
function targetOnly(id: () => string, also: AlsoCompare, note: () => void): void {
  const { confirmed, oneSided } = also;
  if (confirmed && confirmed.held.size > 0 && confirmed.held.has(id())) return;
  oneSided?.targetOnly.add(id());
  note();
}

/** A result with nothing found yet; `added` counted only when the backup's ids are known. */
function noDifference(inBackup: InBackup | undefined): IdDifference {
  return { missing: 0, missingIds: [], extra: 0, extraIds: [], ...(inBackup ? { added: { count: 0, ids: [] } } : {}) };
}

/** An id the source holds and the target lacks, into `result`: missing, or added at the source when the backup lacks it too. */
function noteMissing(result: IdDifference, id: () => string, named: number, inBackup: InBackup | undefined): void {
  if (inBackup && result.added && !inBackup(id())) {
    tally(result.added, id, named);
    return;
  }
  result.missing++;
  if (result.missingIds.length < named) result.missingIds.push(id());
}

/**
 * The source's ids against the target's: missing in the source's order, extra in the target's.
 * `refused`: source ids the target lacks by choice (set aside as refused), neither missing nor
 * expected; one the target holds anyway counts as extra.
 */
export function differences(source: CompactIdSet, target: CompactIdSet, refused: ReadonlySet<string> | undefined, named: number, inBackup?: InBackup, also: AlsoCompare = {}): IdDifference {
  const excused = (index: number) => refused !== undefined && refused.size > 0 && refused.has(source.idAt(index));
  const found = new Uint8Array(source.size);
  const result = noDifference(inBackup);
  for (let index = 0; index < target.size; index++) {
    const at = source.indexOfIdIn(target, index);
    if (at >= 0 && !excused(at)) {
      found[at] = 1;
      continue;
    }
    const extra = () => {
      result.extra++;
      if (result.extraIds.length < named) result.extraIds.push(target.idAt(index));
    };
    // A refused id the target holds is extra: the source listed it, so the source is not asked.
    if (at >= 0) extra();
    else targetOnly(() => target.idAt(index), also, extra);
  }
  for (let index = 0; index < source.size; index++) {
    if (found[index] === 1 || excused(index)) continue;
    const id = () => source.idAt(index);
    sourceOnly(id, also, () => noteMissing(result, id, named, inBackup));
  }
  return result;
}

/**
 * The same comparison, of two listings taken against one set of ids (the export file's, at a
 * copy's end: ids-against.ts), so that only that set is held: an id of the set is on a side when
 * that side marked it, any other id when that side kept it. Missing and extra ids are named in
 * the set's order, then in the order the ids it lacks were listed.
 */
export function differencesAgainst(source: IdsAgainst, target: IdsAgainst, refused: ReadonlySet<string> | undefined, named: number, inBackup?: InBackup, also: AlsoCompare = {}): IdDifference {
  if (source.index !== target.index) throw new Error('differencesAgainst: the two listings were taken against different sets');
  // Ids added to the set after a listing was taken are marked there now, on both sides alike.
  source.absorb();
  target.absorb();
  const index = source.index;
  const excused = (id: () => string) => refused !== undefined && refused.size > 0 && refused.has(id());
  const result = noDifference(inBackup);
  const missing = (id: () => string) => noteMissing(result, id, named, inBackup);
  const extra = (id: () => string) => {
    result.extra++;
    if (result.extraIds.length < named) result.extraIds.push(id());
  };
  for (let at = 0; at < index.size; at++) {
    const atSource = source.has(at);
    const onTarget = target.has(at);
    if (atSource === onTarget && !atSource) continue;
    const id = () => index.idAt(at);
    const expected = atSource && !excused(id);
    if (onTarget && !expected) {
      if (atSource) extra(id);
      else targetOnly(id, also, () => extra(id));
    } else if (!onTarget && expected) sourceOnly(id, also, () => missing(id));
  }
  const beyond = source.outside;
  const found = new Uint8Array(beyond.size);
  for (let at = 0; at < target.outside.size; at++) {
    const id = () => target.outside.idAt(at);
    const there = beyond.indexOfIdIn(target.outside, at);
    if (there >= 0 && !excused(id)) found[there] = 1;
    else if (there >= 0) extra(id);
    else targetOnly(id, also, () => extra(id));
  }
  for (let at = 0; at < beyond.size; at++) {
    const id = () => beyond.idAt(at);
    if (found[at] === 0 && !excused(id)) sourceOnly(id, also, () => missing(id));
  }
  return result;
}
