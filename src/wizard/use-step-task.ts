import { useEffect, useRef } from 'react';

/** One run of a step's work, as the work sees it. */
export interface TaskRun {
  /** False once the screen moved on (another task started, or it unmounted): drop late results. */
  live: () => boolean;
  /** While the work waits for the user (a question), Esc may go back: say so, then busy again. */
  setBusy: (busy: boolean) => void;
}

export interface StepTaskOptions<T> {
  /** Tells the App that work runs: Esc must not pull the screen away, Ctrl-C waits for a checkpoint. */
  setBusy?: (busy: boolean) => void;
  /** A failure of a run still live; a run that is no longer live fails silently. */
  onError?: (error: unknown, task: T) => void;
}

/**
 * A step's side effects in one place: `work` runs once for each new `task` (a phase object, an
 * attempt number), never for null. Work is never pulled out from under the engine: a task that
 * is replaced keeps running to its own checkpoint, but its results are dropped (`live()`), and
 * the screen counts as busy until every run has settled. The latest `work` and options are read
 * when a run starts, so a screen can pass fresh closures on every render.
 */
export function useStepTask<T>(task: T | null | undefined, work: (task: T, run: TaskRun) => Promise<void> | void, options: StepTaskOptions<T> = {}): void {
  const latest = useRef({ work, options });
  const running = useRef(new Map<number, boolean>());
  const serial = useRef(0);
  useEffect(() => {
    latest.current = { work, options };
  });

  useEffect(() => {
    if (task === null || task === undefined) return;
    const id = ++serial.current;
    let live = true;
    const tell = () => latest.current.options.setBusy?.([...running.current.values()].some(Boolean));
    const setBusy = (busy: boolean) => {
      if (!running.current.has(id)) return;
      running.current.set(id, busy);
      tell();
    };
    running.current.set(id, true);
    tell();
    const run: TaskRun = { live: () => live, setBusy };
    Promise.resolve()
      .then(() => latest.current.work(task, run))
      .catch((error: unknown) => {
        if (live) latest.current.options.onError?.(error, task);
      })
      .finally(() => {
        running.current.delete(id);
        tell();
      });
    return () => {
      live = false;
    };
  }, [task]);
}
