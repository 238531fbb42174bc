import { useCallback, useRef, useState } from 'react';
import type { ProgressEvent } from '../core/util/progress.js';
import type { ProgressInfo } from './components/Progress.js';
import { describeWhole, WholeProgress } from '../present/whole-progress.js';

/**
 * Folds engine progress events into one bar per collection, and with several collections a line
 * for the whole run (present/whole-progress.ts). The rate uses the injected clock
 * so snapshots never depend on the wall clock. Updates are throttled to keep redraws cheap.
 */
export function useProgress(now: () => number) {
  const [bars, setBars] = useState<ProgressInfo[]>([]);
  const [phase, setPhase] = useState<string>('');
  const [whole, setWhole] = useState<string>('');
  const wholeRun = useRef<WholeProgress | null>(null);
  const starts = useRef(new Map<string, { at: number; done: number }>());
  const retries = useRef(0);
  const lastDraw = useRef(0);

  const upsert = useCallback((label: string, done: number, total: number, force: boolean) => {
    const start = starts.current.get(label);
    const seconds = start ? (now() - start.at) / 1000 : 0;
    const rate = start && seconds > 0 ? (done - start.done) / seconds : 0;
    if (!force && now() - lastDraw.current < 100) return;
    lastDraw.current = now();
    const run = wholeRun.current;
    if (run?.several) setWhole(describeWhole(run.view()));
    setBars((current) => {
      const next = current.filter((entry) => entry.label !== label);
      const index = current.findIndex((entry) => entry.label === label);
      const entry = { label, done, total, rate, retries: retries.current };
      if (index < 0) return [...current, entry];
      next.splice(index, 0, entry);
      return next;
    });
  }, [now]);

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

  return { bars, phase, whole, onProgress };
}
