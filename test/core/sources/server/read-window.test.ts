import { describe, expect, it } from 'vitest';
import { ReadWindow } from '../../../../src/core/sources/server/read-window.js';

describe('the export read window', () => {
  it('opens from 2 by one per successful read, up to the chosen concurrency', () => {
    const reads = new ReadWindow(8);
    expect(reads.limit).toBe(2);
    for (let i = 0; i < 3; i++) reads.succeeded();
    expect(reads.limit).toBe(5);
    for (let i = 0; i < 10; i++) reads.succeeded();
    expect(reads.limit).toBe(8);
    expect(new ReadWindow(1).limit).toBe(1);
  });

  it('halves on each 429, then grows back one at a time after that many successes in a row', () => {
    const reads = new ReadWindow(8);
    for (let i = 0; i < 6; i++) reads.succeeded();
    reads.slowDown();
    expect(reads.limit).toBe(4);
    reads.slowDown();
    reads.slowDown();
    reads.slowDown();
    expect(reads.limit).toBe(1);
    reads.succeeded();
    expect(reads.limit).toBe(2);
    reads.succeeded();
    expect(reads.limit).toBe(2);
    reads.succeeded();
    expect(reads.limit).toBe(3);
    for (let i = 0; i < 100; i++) reads.succeeded();
    expect(reads.limit).toBe(8);
  });
});
