import { describe, expect, it } from 'vitest';
import { runBatches } from '../../../src/core/sinks/batches.js';

async function* numbers(count: number) {
  for (let i = 0; i < count; i++) yield i;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('runBatches: the commit watermark', () => {
  it('commits in order even when batches finish out of order, with at most N in flight', async () => {
    const committed: number[] = [];
    let inFlight = 0;
    let most = 0;
    await runBatches(numbers(12), {
      concurrency: 3,
      send: async (batch) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await delay((12 - batch) * 2); // later batches finish first
        inFlight--;
      },
      onCommitted: (batch) => {
        committed.push(batch);
      },
    });
    expect(committed).toEqual([...Array(12).keys()]);
    expect(most).toBe(3);
  });

  it('a failing batch stops the run; only the batches before it are committed', async () => {
    const committed: number[] = [];
    await expect(
      runBatches(numbers(20), {
        concurrency: 2,
        send: async (batch) => {
          await delay(1);
          if (batch === 5) throw new Error('server said no');
        },
        onCommitted: (batch) => {
          committed.push(batch);
        },
      }),
    ).rejects.toThrow('server said no');
    expect(committed).toEqual([0, 1, 2, 3, 4]);
  });

  it('an abort stops sending and rejects', async () => {
    const controller = new AbortController();
    const sent: number[] = [];
    const run = runBatches(numbers(100), {
      concurrency: 2,
      signal: controller.signal,
      send: async (batch, _index, signal) => {
        sent.push(batch);
        await delay(5);
        signal.throwIfAborted();
      },
      onCommitted: () => undefined,
    });
    setTimeout(() => controller.abort(new Error('ctrl-c')), 20);
    await expect(run).rejects.toThrow();
    expect(sent.length).toBeLessThan(100);
  });

  it('a failing batch source (a damaged file) stops the run after in-flight work lands', async () => {
    async function* broken() {
      yield 0;
      yield 1;
      throw new Error('line 3: truncated');
    }
    const committed: number[] = [];
    await expect(
      runBatches(broken(), { concurrency: 2, send: () => delay(5), onCommitted: (batch) => void committed.push(batch) }),
    ).rejects.toThrow('truncated');
    expect(committed).toEqual([0, 1]);
  });
});
