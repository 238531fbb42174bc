import { describe, expect, it } from 'vitest';
import { CompactIdSet, CompactIdSubset } from '../../../src/core/util/compact-ids.js';

describe('CompactIdSet', () => {
  it('holds each id once, in the order added, exactly as given (any UTF-8, any length)', () => {
    const set = new CompactIdSet();
    const ids = ['a', '', 'ä', '日本語-ид', '🙂🙂', 'x'.repeat(2_000), 'a '];
    for (const id of ids) expect(set.add(id)).toBe(true);
    for (const id of ids) expect(set.add(id)).toBe(false);
    expect(set.size).toBe(ids.length);
    ids.forEach((id, index) => {
      expect(set.indexOf(id)).toBe(index);
      expect(set.idAt(index)).toBe(id);
    });
    expect(set.indexOf('b')).toBe(-1);
    expect(set.indexOf('a  ')).toBe(-1);
  });

  it('agrees with a Set over 200,000 ids while it grows past what it was sized for', () => {
    const set = new CompactIdSet(1_000);
    const reference = new Set<string>();
    for (let n = 0; n < 200_000; n++) {
      // Ids that differ in one digit, with repeats.
      const id = `doc-${(n * 7_919) % 150_000}`;
      expect(set.add(id)).toBe(!reference.has(id));
      reference.add(id);
    }
    expect(set.size).toBe(reference.size);
    [...reference].forEach((id, index) => expect(set.idAt(index)).toBe(id));
    expect(set.indexOf('doc-150000')).toBe(-1);
  });

  it('finds another set\'s ids by their bytes', () => {
    const source = new CompactIdSet();
    const target = new CompactIdSet();
    for (const id of ['one', 'two', 'drei', 'ü']) source.add(id);
    for (const id of ['ü', 'two', 'extra']) target.add(id);
    expect([0, 1, 2].map((index) => source.indexOfIdIn(target, index))).toEqual([3, 1, -1]);
  });
});

describe('CompactIdSubset', () => {
  it('names some of a set\'s ids by index, in the order added, a page at a time', () => {
    const all = new CompactIdSet();
    for (let n = 0; n < 100; n++) all.add(`id-${n}`);
    const some = new CompactIdSubset(all);
    for (let n = 99; n >= 0; n -= 3) some.add(n);
    expect(some.size).toBe(34);
    expect(some.slice(0, 3)).toEqual(['id-99', 'id-96', 'id-93']);
    expect(some.slice(32, 50)).toEqual(['id-3', 'id-0']);
    expect(some.slice(34, 40)).toEqual([]);
  });
});
