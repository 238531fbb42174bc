/**
 * The bars show every collection's latest count: events that come close together are drawn
 * together a moment later, never dropped. A dropped one left a bar at an old count while its
 * collection went on (and, under a clock that stands still, no bar ever moved).
 */
import { Text } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import { renderAt } from '../helpers/ink-render.js';
import { tick, waitForFrame } from '../helpers/ink.js';
import { useProgress } from '../../src/wizard/use-progress.js';
import type { ProgressEvent } from '../../src/core/util/progress.js';
import { manualClock } from './harness.js';

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

/** The hook's numbers as text, and a way to feed it events. */
function mountProgress() {
  const clock = manualClock();
  let feed: (event: ProgressEvent) => void = () => undefined;
  function Bars() {
    const progress = useProgress(clock.now);
    feed = progress.onProgress;
    const records = progress.records ? `${progress.records.done} of ${progress.records.total}` : '-';
    return <Text>{[...progress.bars.map((bar) => `${bar.label} ${bar.done} of ${bar.total}`), `run ${records}`].join('\n')}</Text>;
  }
  const app = renderAt(<Bars />);
  unmount = app.unmount;
  return { app, send: (events: ProgressEvent[]) => events.forEach((event) => feed(event)) };
}

describe('the progress bars', () => {
  it('show the latest count of every collection, of events close together, with the clock standing still', async () => {
    const { app, send } = mountProgress();
    await tick();
    send([
      { type: 'plan', collections: 2, done: 0, records: 3_500 },
      { type: 'collection-start', collection: 'alpha', total: 2_000, done: 400, resumed: true },
      { type: 'collection-start', collection: 'beta', total: 1_500, done: 400, resumed: true },
      { type: 'batch', collection: 'alpha', done: 500, total: 2_000 },
      { type: 'batch', collection: 'beta', done: 500, total: 1_500 },
      { type: 'batch', collection: 'alpha', done: 600, total: 2_000 },
    ]);
    const frame = await waitForFrame(app, 'alpha 600 of 2000', 2_000);
    expect(frame).toBe('alpha 600 of 2000\nbeta 500 of 1500\nrun 1100 of 3500');
  });
});
