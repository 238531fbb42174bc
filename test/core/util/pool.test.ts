import { describe, expect, it } from 'vitest';
import { aheadInOrder, inParallel } from '../../../src/core/util/pool.js';

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

  it('with a budget, starts the next item only once its weight fits beside those running', async () => {
    const weights = [3, 3, 1, 1, 9, 2];
    let held = 0;
    let most = 0;
    const order: string[] = [];
    const results = await inParallel(weights, 4, async (weight, index) => {
      held += weight;
      most = Math.max(most, held);
      order.push(`start ${index}`);
      await tick();
      await tick();
      order.push(`end ${index}`);
      held -= weight;
      return weight * 10;
    }, { weight: (weight) => weight, budget: 5 });
    expect(results).toEqual([30, 30, 10, 10, 90, 20]);
    // 9 is over the budget: it runs, but alone.
    expect(most).toBe(9);
    expect(order.indexOf('start 1')).toBeGreaterThan(order.indexOf('end 0'));
    expect(order.indexOf('start 4')).toBeGreaterThan(order.indexOf('end 3'));
    expect(order.indexOf('start 5')).toBeGreaterThan(order.indexOf('end 4'));
  });

  it('a work that throws before its first await counts as a failure, not an escape', async () => {
    const run = inParallel([0, 1], 2, (n) => {
      if (n === 0) throw new Error('at once');
      return Promise.resolve(n);
    });
    await expect(run).rejects.toThrow('at once');
  });

  it('handles no items and a limit above the count', async () => {
    expect(await inParallel([], 4, async () => 1)).toEqual([]);
    expect(await inParallel([1], 8, async (n) => n + 1)).toEqual([2]);
  });
});

describe('aheadInOrder', () => {
  const collect = async <R>(source: AsyncIterable<R>): Promise<R[]> => {
    const out: R[] = [];
    for await (const item of source) out.push(item);
    return out;
  };

  it('yields in request order with at most `limit` in flight, whatever order they finish in', async () => {
    let running = 0;
    let most = 0;
    const delays = [5, 0, 3, 1, 4, 2, 0];
    const results = await collect(
      aheadInOrder(delays.length, 3, async (index) => {
        running++;
        most = Math.max(most, running);
        for (let k = 0; k < (delays[index] as number); k++) await tick();
        running--;
        return index;
      }),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
  });

  it('throws a failure at its place in the order, and waits for the requests still in flight', async () => {
    let settled = 0;
    const seen: number[] = [];
    const run = async () => {
      for await (const index of aheadInOrder(6, 3, async (n) => {
        await tick();
        if (n === 1) throw new Error('page 1 failed');
        await tick();
        settled++;
        return n;
      }))
        seen.push(index);
    };
    await expect(run()).rejects.toThrow('page 1 failed');
    expect(seen).toEqual([0]);
    // 0, 2 and 3 were started (3 began once 0 was taken); none is left running.
    expect(settled).toBe(3);
  });

  it('leaving early waits for the requests in flight and starts no more', async () => {
    let started = 0;
    let settled = 0;
    for await (const index of aheadInOrder(10, 4, async (n) => {
      started++;
      await tick();
      settled++;
      return n;
    }))
      if (index === 1) break;
    expect(started).toBe(6);
    expect(settled).toBe(started);
  });

  it('handles no requests', async () => {
    expect(await collect(aheadInOrder(0, 4, async () => 1))).toEqual([]);
  });
});
