import { describe, expect, it } from 'vitest';
import { inParallel } from '../../../src/core/util/pool.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('inParallel', () => {
  it('keeps at most `limit` in flight and returns results in the items\' order', async () => {
    let running = 0;
    let most = 0;
    const results = await inParallel([5, 1, 4, 2, 3, 0], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      for (let k = 0; k < n; k++) await tick();
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(3);
  });

  it('starts nothing after a failure, waits for what runs, then throws the first failure', async () => {
    const started: number[] = [];
    let finished = 0;
    const run = inParallel([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error('one failed');
      await tick();
      finished++;
      return n;
    });
    await expect(run).rejects.toThrow('one failed');
    // 0 was running when 1 failed: it finished; nothing started after.
    expect(started).toEqual([0, 1]);
    expect(finished).toBe(1);
  });

  it('handles no items and a limit above the count', async () => {
    expect(await inParallel([], 4, async () => 1)).toEqual([]);
    expect(await inParallel([1], 8, async (n) => n + 1)).toEqual([2]);
  });
});
