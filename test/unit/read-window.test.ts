import { describe, expect, it } from 'vitest';
import { ReadWindow } from '../../src/core/export.js';

describe('the export read window', () => {
  it('halves on each 429 and grows back one at a time, never past where it started', () => {
    const reads = new ReadWindow(8);
    reads.slowDown();
    expect(reads.limit).toBe(4);
    reads.slowDown();
    reads.slowDown();
    reads.slowDown();
    expect(reads.limit).toBe(1);
    reads.succeeded();
    expect(reads.limit).toBe(2); // after 1 success at a limit of 1
    for (let i = 0; i < 2; i++) reads.succeeded();
    expect(reads.limit).toBe(3);
    for (let i = 0; i < 100; i++) reads.succeeded();
    expect(reads.limit).toBe(8);
  });
});
