import { describe, expect, it } from 'vitest';
import { CompactIdSet } from '../../../../src/core/util/compact-ids.js';
import { IdsAgainst } from '../../../../src/core/util/ids-against.js';
import { differences, differencesAgainst, type IdDifference } from '../../../../src/core/sinks/verifier/id-sets.js';

function setOf(ids: string[]): CompactIdSet {
  const set = new CompactIdSet();
  for (const id of ids) set.add(id);
  return set;
}

function against(index: CompactIdSet, ids: string[]): IdsAgainst {
  const listed = new IdsAgainst(index);
  for (const id of ids) listed.add(id);
  return listed;
}

/** A small deterministic generator: the same cases on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

/** Counts, and the named ids as sets (each side names them in its own order). */
function summary(found: IdDifference) {
  return { missing: found.missing, extra: found.extra, missingIds: [...found.missingIds].sort(), extraIds: [...found.extraIds].sort() };
}

describe('differencesAgainst: two listings against the file\'s ids, compared as two whole sets would be', () => {
  it('agrees with the sets compared whole, whatever the file, the source and the target hold', () => {
    const next = random(23);
    for (let round = 0; round < 300; round++) {
      const universe = Array.from({ length: 40 }, (_, n) => (n % 3 === 0 ? `ä-${n}` : `doc-${n}`));
      const pick = (share: number) => universe.filter(() => next() < share);
      const inFile = pick(0.7);
      const atSource = pick(0.7);
      const onTarget = pick(0.7);
      const refused = new Set(pick(0.1));
      const index = setOf(inFile);
      // Listed with repeats (offset paging can hand an id twice), in an order of their own.
      const source = against(index, [...atSource, ...atSource.slice(0, 3)].reverse());
      // The end check adds some source ids the file lacked after the source was listed; the
      // target is listed before or after that.
      const targetFirst = round % 2 === 0;
      const target = targetFirst ? against(index, onTarget) : null;
      for (const id of atSource.filter(() => next() < 0.5)) index.add(id);
      const named = round % 3 === 0 ? 2 : 100;
      const found = differencesAgainst(source, target ?? against(index, [...onTarget, onTarget[0] ?? 'x']), refused, named);
      const whole = differences(setOf(atSource), setOf(target ? onTarget : [...onTarget, onTarget[0] ?? 'x']), refused, named);
      if (named === 100) expect(summary(found)).toEqual(summary(whole));
      else expect({ missing: found.missing, extra: found.extra }).toEqual({ missing: whole.missing, extra: whole.extra });
      expect(found.missingIds.length).toBe(Math.min(named, whole.missing));
      expect(found.extraIds.length).toBe(Math.min(named, whole.extra));
    }
  });

  it('names one missing and one extra id among 100,000 (UUID-like) ids', () => {
    const ids = Array.from({ length: 100_000 }, (_, n) => `0000${n.toString(16)}-aaaa-4bbb-8ccc-${n.toString(16).padStart(12, '0')}`);
    const index = setOf(ids);
    const source = against(index, ids);
    const target = new IdsAgainst(index);
    ids.forEach((id, n) => n !== 77_777 && target.add(id));
    target.add('stray');
    const found = differencesAgainst(source, target, undefined, 20);
    expect(found).toEqual({ missing: 1, missingIds: [ids[77_777]], extra: 1, extraIds: ['stray'] });
  }, 120_000);

  it('against the source\'s own set (verify --source-url) names exactly what arrays and Sets named, in the same order', () => {
    const next = random(7);
    const dedupe = (ids: string[]) => [...new Set(ids)];
    for (let round = 0; round < 300; round++) {
      const universe = Array.from({ length: 40 }, (_, n) => (n % 3 === 0 ? `ä-${n}` : `doc-${n}`)).sort(() => next() - 0.5);
      const pick = (share: number) => universe.filter(() => next() < share);
      const listed = pick(0.7);
      const refused = new Set(listed.filter(() => next() < 0.15));
      // The target listed with repeats, refused ids among them now and then.
      const targetListing = [...pick(0.7), ...pick(0.1)];
      const named = round % 3 === 0 ? 2 : 100;
      const sourceIds = listed.filter((id) => !refused.has(id));
      const targetIds = dedupe(targetListing);
      const onTarget = new Set(targetIds);
      const atSource = new Set(sourceIds);
      const missing = sourceIds.filter((id) => !onTarget.has(id));
      const extra = targetIds.filter((id) => !atSource.has(id));
      const sourceSet = setOf(sourceIds);
      const found = differencesAgainst(IdsAgainst.whole(sourceSet), against(sourceSet, targetListing), undefined, named);
      expect(found).toEqual({ missing: missing.length, missingIds: missing.slice(0, named), extra: extra.length, extraIds: extra.slice(0, named) });
      expect(sourceSet.slice(0, named)).toEqual(sourceIds.slice(0, named));
    }
  });

  it('refuses listings taken against different sets', () => {
    expect(() => differencesAgainst(against(setOf(['a']), ['a']), against(setOf(['a']), ['a']), undefined, 5)).toThrow(/different sets/);
  });
});

describe('a copy\'s closing check told by the backup: lost on the way, or added at the source since', () => {
  it('splits what the target lacks by whether the backup holds it, both ways of comparing alike', () => {
    const next = random(41);
    for (let round = 0; round < 300; round++) {
      const universe = Array.from({ length: 40 }, (_, n) => `doc-${n}`);
      const pick = (share: number) => universe.filter(() => next() < share);
      const inBackup = new Set(pick(0.7));
      const atSource = pick(0.7);
      const onTarget = pick(0.7);
      const refused = new Set(pick(0.1));
      const lacking = atSource.filter((id) => !onTarget.includes(id) && !refused.has(id));
      const missing = lacking.filter((id) => inBackup.has(id));
      const added = lacking.filter((id) => !inBackup.has(id));
      const has = (id: string) => inBackup.has(id);
      const whole = differences(setOf(atSource), setOf(onTarget), refused, 100, has);
      const index = setOf(onTarget);
      const marked = differencesAgainst(against(index, atSource), IdsAgainst.whole(index), refused, 100, has);
      for (const found of [whole, marked]) {
        expect([...found.missingIds].sort()).toEqual([...missing].sort());
        expect(found.missing).toBe(missing.length);
        expect(found.added?.count).toBe(added.length);
        expect([...(found.added?.ids ?? [])].sort()).toEqual([...added].sort());
      }
      // Without the backup's ids, everything the target lacks is missing, as before.
      expect(differences(setOf(atSource), setOf(onTarget), refused, 100)).toMatchObject({ missing: lacking.length });
      expect(differences(setOf(atSource), setOf(onTarget), refused, 100).added).toBeUndefined();
    }
  });
});

describe('the source asked by id for the one-sided ids (one-sided.ts), taken into account', () => {
  // The source listed a, b, gone; the target holds a, b, late, stray. The source, asked by id,
  // no longer holds `gone` and holds `late` (its listing missed it); `stray` it lacks.
  const atSource = ['a', 'b', 'gone'];
  const onTarget = ['a', 'b', 'late', 'stray'];
  const confirmed = { gone: new Set(['gone']), held: new Set(['late']) };

  it('collects every one-sided id, on both comparisons alike', () => {
    const whole = { sourceOnly: new CompactIdSet(), targetOnly: new CompactIdSet() };
    differences(setOf(atSource), setOf(onTarget), undefined, 20, undefined, { oneSided: whole });
    const index = setOf(['a', 'gone', 'late']);
    const marked = { sourceOnly: new CompactIdSet(), targetOnly: new CompactIdSet() };
    differencesAgainst(against(index, atSource), against(index, onTarget), undefined, 20, undefined, { oneSided: marked });
    for (const found of [whole, marked]) {
      expect(found.sourceOnly.slice(0, found.sourceOnly.size)).toEqual(['gone']);
      expect(found.targetOnly.slice(0, found.targetOnly.size).sort()).toEqual(['late', 'stray']);
    }
  });

  it('counts neither the gone id as missing nor the held one as extra', () => {
    const whole = differences(setOf(atSource), setOf(onTarget), undefined, 20, undefined, { confirmed });
    const index = setOf(['a', 'gone', 'late']);
    const marked = differencesAgainst(against(index, atSource), against(index, onTarget), undefined, 20, undefined, { confirmed });
    for (const found of [whole, marked]) expect(summary(found)).toEqual({ missing: 0, extra: 1, missingIds: [], extraIds: ['stray'] });
  });
});
