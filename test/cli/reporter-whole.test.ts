import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter } from '../../src/cli/reporter.js';
import type { CommandIo } from '../../src/cli/io.js';
import type { ProgressEvent } from '../../src/core/util/progress.js';

/** A reporter writing into a string, on a clock the test moves. */
function harness(live: boolean, columns = 120) {
  let text = '';
  const stderr = Object.assign(new PassThrough(), { isTTY: live, columns });
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const io = { stdout: new PassThrough(), stderr, stdinIsTTY: live, env: {}, signal: new AbortController().signal } as unknown as CommandIo;
  const clock = { ms: 0 };
  const reporter = createReporter(io, { live, now: () => clock.ms, everyMs: 3_000 });
  const send = (...events: ProgressEvent[]) => events.forEach((event) => reporter.listener(event));
  return { send, clock, reporter, output: () => text };
}

/** What a terminal shows after the writes: each \r\x1b[2K redraw replaces the line. */
function screen(text: string): string[] {
  return text.split('\n').map((line) => line.split('\r\x1b[2K').at(-1) ?? '');
}

const start = (collection: string, total: number, done = 0): ProgressEvent => ({ type: 'collection-start', collection, total, done, resumed: done > 0 });
const batch = (collection: string, done: number, total: number): ProgressEvent => ({ type: 'batch', collection, done, total });
const finished = (collection: string, done: number): ProgressEvent => ({ type: 'collection-done', collection, done, total: done });

describe('the line reporter with several collections', () => {
  it('draws one line on a terminal: collections done of total, records, rate, ETA and those in flight', () => {
    const { send, clock, output } = harness(true);
    send({ type: 'plan', collections: 4, done: 0, records: 400 }, start('a', 100), start('b', 100));
    clock.ms = 2_000;
    send(batch('a', 100, 100), finished('a', 100), batch('b', 50, 100));
    clock.ms = 4_000;
    send(start('c', 100), batch('c', 50, 100), { type: 'phase', message: 'Importing "c" into http://target' });
    expect(output()).not.toContain('\n');
    expect(screen(output()).at(-1)).toBe('1 of 4 collections · 200 of 400 records · 50/s · ETA 4s · now: b 50/100, c 50/100');
  });

  it('names at most three collections in flight, then counts the rest, within the terminal width', () => {
    const { send, output } = harness(true, 200);
    send({ type: 'plan', collections: 9, done: 0 }, ...['a', 'b', 'c', 'd', 'e'].map((name) => start(name, 10)));
    expect(screen(output()).at(-1)).toBe('0 of 9 collections · 0 of ~90 records · 0/s · now: a 0/10, b 0/10, c 0/10, +2 more');
    const narrow = harness(true, 40);
    narrow.send({ type: 'plan', collections: 9, done: 0 }, start('a', 10));
    expect(screen(narrow.output()).at(-1)).toHaveLength(39);
  });

  it('in a pipe prints a line per finished collection and the whole every few seconds, no cursor codes', () => {
    const { send, clock, reporter, output } = harness(false);
    send({ type: 'plan', collections: 3, done: 1, records: 300 }, start('b', 100, 40), start('c', 100));
    clock.ms = 1_000;
    send(batch('b', 60, 100));
    clock.ms = 3_000;
    send(batch('b', 100, 100));
    clock.ms = 4_000;
    send(finished('b', 100), { type: 'warning', message: 'careful' });
    reporter.close();
    expect(output()).not.toContain('\x1b');
    expect(output().trimEnd().split('\n')).toEqual([
      '  1 of 3 collections · 100 of 300 records · 20/s · ETA 10s · in flight: b, c',
      'b: done (100 records) · 2 of 3 collections · 100 of 300 records · 15/s · ETA 13s',
      '! careful',
    ]);
  });

  it('leaves a single collection to its own bar', () => {
    const { send, clock, output } = harness(false);
    send({ type: 'plan', collections: 1, done: 0 }, start('docs', 1_000));
    clock.ms = 3_000;
    send(batch('docs', 300, 1_000));
    expect(output().split('\n')).toEqual(['docs: 1,000 records', '  docs: 300/1,000 30% · 100/s · ETA 7s', '']);
  });
});
