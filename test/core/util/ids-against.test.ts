import { describe, expect, it } from 'vitest';
import { CompactIdSet } from '../../../src/core/util/compact-ids.js';
import { IdsAgainst } from '../../../src/core/util/ids-against.js';

describe('IdsAgainst', () => {
  it('marks the ids the set holds by their index, keeps the others once, and counts each different id once', () => {
    const index = new CompactIdSet();
    for (const id of ['a', 'b', 'c']) index.add(id);
    const listed = new IdsAgainst(index);
    for (const id of ['c', 'x', 'a', 'c', 'x', 'y']) listed.add(id);
    expect(listed.size).toBe(4);
    expect([0, 1, 2].map((at) => listed.has(at))).toEqual([true, false, true]);
    expect([listed.outside.idAt(0), listed.outside.idAt(1), listed.outside.size]).toEqual(['x', 'y', 2]);
  });

  it('marks ids the set takes while the listing goes on, and moves kept ones once the set holds them (absorb)', () => {
    const index = new CompactIdSet();
    index.add('a');
    const listed = new IdsAgainst(index);
    listed.add('late');
    index.add('b');
    index.add('late');
    listed.add('b');
    expect(listed.has(1)).toBe(true);
    expect(listed.has(2)).toBe(false);
    listed.absorb();
    expect(listed.has(2)).toBe(true);
    expect(listed.outside.size).toBe(0);
    expect(listed.size).toBe(2);
  });
});
