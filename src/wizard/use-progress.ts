import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProgressEvent } from '../core/util/progress.js';
import type { ProgressInfo } from './components/Progress.js';
import { describeWhole, WholeProgress } from '../present/whole-progress.js';

/** At most one redraw per this many milliseconds of real time while batches pour in. */
const REDRAW_MS = 100;

/** Records done of the whole run (every collection, a resumed one's earlier part included). */
export interface RunRecords {
  done: number;
  total: number | null;
}

/**
 * Folds engine progress events into one bar per collection, and with several collections a line
 * for the whole run (present/whole-progress.ts). The rate uses the injected clock so snapshots
 * never depend on the wall clock. Redraws are batched: every event updates the numbers, and the
 * next redraw (at most REDRAW_MS later, on a real timer) shows the latest of every collection.
 * Dropping an event instead left a collection's bar at an old count while its import went on,
 * and the bars never moved at all under a clock that stands still.
 */
export function useProgress(now: () => number) {
  const [bars, setBars] = useState<ProgressInfo[]>([]);
  const [phase, setPhase] = useState<string>('');
  const [whole, setWhole] = useState<string>('');
  const [records, setRecords] = useState<RunRecords | null>(null);
  const wholeRun = useRef<WholeProgress | null>(null);
  const latest = useRef(new Map<string, ProgressInfo>());
  const starts = useRef(new Map<string, { at: number; done: number }>());
  const retries = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(timer.current ?? undefined), []);

  const draw = useCallback(() => {
    clearTimeout(timer.current ?? undefined);
    timer.current = null;
    // A Map keeps each collection where it first came: the bars do not jump about.
    setBars([...latest.current.values()]);
    const run = wholeRun.current;
    if (!run) return;
    const view = run.view();
    setRecords({ done: view.records.done, total: view.records.total });
    if (run.several) setWhole(describeWhole(view));
  }, []);

  const upsert = useCallback((label: string, done: number, total: number, force: boolean) => {
    const start = starts.current.get(label);
    const seconds = start ? (now() - start.at) / 1000 : 0;
    const rate = start && seconds > 0 ? (done - start.done) / seconds : 0;
    latest.current.set(label, { label, done, total, rate, retries: retries.current });
    if (force) draw();
    else timer.current ??= setTimeout(draw, REDRAW_MS);
  }, [now, draw]);

  const onProgress = useCallback((event: ProgressEvent) => {
    wholeRun.current ??= new WholeProgress(now);
    wholeRun.current.take(event);
    switch (event.type) {
      case 'phase':
        setPhase(event.message);
        return;
      case 'collection-start':
        starts.current.set(event.collection, { at: now(), done: event.done });
        upsert(event.collection, event.done, event.total, true);
        return;
      case 'batch':
        upsert(event.collection, event.done, event.total, false);
        return;
      case 'collection-done':
        upsert(event.collection, event.done, Math.max(event.total, event.done), true);
        return;
      case 'retry':
        retries.current++;
        return;
      case 'plan':
      case 'counted':
        return;
      case 'warning':
        setPhase(`! ${event.message}`);
        return;
      default: {
        const exhaustive: never = event;
        return exhaustive;
      }
    }
  }, [now, upsert]);

  return { bars, phase, whole, records, onProgress };
}
