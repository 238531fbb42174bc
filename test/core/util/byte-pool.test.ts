import { describe, expect, it } from 'vitest';
import { BytePool } from '../../../src/core/util/byte-pool.js';

describe('BytePool', () => {
  it('hands a buffer given back out again, the smallest that fits', () => {
    const pool = new BytePool(10, 1000, 2);
    const small = pool.take(100);
    const big = pool.take(500);
    expect(small.length).toBeGreaterThanOrEqual(100);
    pool.give(big);
    pool.give(small);
    expect(pool.take(50)).toBe(small);
    expect(pool.take(50)).toBe(big);
    // Nothing left free: a new one.
    const fresh = pool.take(50);
    expect(fresh).not.toBe(small);
    expect(fresh).not.toBe(big);
  });

  it('never hands the same buffer to two takers, and keeps only the largest few', () => {
    const pool = new BytePool(10, 1000, 2);
    const buffers = [pool.take(100), pool.take(200), pool.take(300)];
    for (const buffer of buffers) pool.give(buffer);
    const again = [pool.take(10), pool.take(10), pool.take(10)];
    expect(new Set(again).size).toBe(3);
    expect(again).toContain(buffers[1]);
    expect(again).toContain(buffers[2]);
    expect(again).not.toContain(buffers[0]);
  });

  it('pools only sizes within its bounds', () => {
    const pool = new BytePool(10, 1000, 2);
    expect(pool.fits(9)).toBe(false);
    expect(pool.fits(10)).toBe(true);
    expect(pool.fits(1001)).toBe(false);
    const huge = Buffer.alloc(2000);
    pool.give(huge);
    expect(pool.take(1500)).not.toBe(huge);
  });
});
