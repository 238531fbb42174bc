import { describe, expect, it } from 'vitest';
import { PagePipe } from '../../../../src/core/sinks/target/page-pipe.js';
import { makeRecords } from '../../../helpers/fixtures.js';

const records = makeRecords(25, { dim: 2 });

describe('the pipe between a copy\'s export and its import', () => {
  it('turns pages into batches in order: the first as soon as a page is there, the last one short', async () => {
    const pipe = new PagePipe(10, 20);
    const got: number[] = [];
    const consumer = (async () => {
      for await (const batch of pipe.batches()) got.push(batch.length);
    })();
    for (let i = 0; i < records.length; i += 3) await pipe.push(records.slice(i, i + 3));
    pipe.close();
    await consumer;
    expect(got).toEqual([3, 10, 10, 2]);
    expect(got.reduce((a, b) => a + b)).toBe(25);
  });

  it('sends a short batch when flushed, and batches in full again after it', async () => {
    const pipe = new PagePipe(10, 20);
    const batches = pipe.batches();
    await pipe.push(records.slice(0, 3));
    expect((await batches.next()).value).toHaveLength(3); // the first page goes at once
    await pipe.push(records.slice(3, 16));
    expect((await batches.next()).value).toHaveLength(10);
    pipe.flush();
    expect((await batches.next()).value).toHaveLength(3); // held, short: out because flushed
    await pipe.push(records.slice(16, 20));
    let next: number | null = null;
    const waiting = batches.next().then((step) => (next = step.value?.length ?? 0));
    await new Promise((wait) => setTimeout(wait, 10));
    expect(next).toBeNull(); // 4 held: a batch waits to fill again
    pipe.close();
    await waiting;
    expect(next).toBe(4);
  });

  it('holds the producer while the consumer is behind, and passes a failure either way', async () => {
    const pipe = new PagePipe(10, 10);
    const batches = pipe.batches();
    await pipe.push(records.slice(0, 1));
    expect((await batches.next()).value).toHaveLength(1); // the first page goes at once
    let pushed = false;
    const push = pipe.push(records.slice(0, 12)).then(() => (pushed = true));
    await new Promise((wait) => setTimeout(wait, 10));
    expect(pushed).toBe(false); // 12 held, room for fewer than 10
    expect((await batches.next()).value).toHaveLength(10);
    await push;
    expect(pushed).toBe(true);

    pipe.fail(new Error('the target refused'));
    await expect(pipe.push(records.slice(0, 1))).rejects.toThrow('the target refused');
    await expect(batches.next()).rejects.toThrow('the target refused');
  });

  it('stopped by its signal, a consumer waiting for pages and a producer waiting for room both end with its reason', async () => {
    const stop = new AbortController();
    const pipe = new PagePipe(10, 10, stop.signal);
    const batches = pipe.batches();
    await pipe.push(records.slice(0, 1));
    expect((await batches.next()).value).toHaveLength(1);
    const waitingForPages = batches.next();
    const waitingForRoom = new PagePipe(10, 10, stop.signal).push(records.slice(0, 12));
    stop.abort(new Error('Ctrl-C'));
    await expect(waitingForPages).rejects.toThrow('Ctrl-C');
    await expect(waitingForRoom).rejects.toThrow('Ctrl-C');
  });

  it('a closed pipe lets go of its signal: an abort after close changes nothing', async () => {
    const stop = new AbortController();
    const pipe = new PagePipe(10, 10, stop.signal);
    await pipe.push(records.slice(0, 3));
    pipe.close();
    stop.abort(new Error('Ctrl-C'));
    const got = [];
    for await (const batch of pipe.batches()) got.push(batch.length);
    expect(got).toEqual([3]);
  });
});
