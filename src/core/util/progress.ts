/**
 * What long work reports. The Ink screen, the plain line reporter and --json all read these
 * same events; the engine never prints.
 */
export type ProgressEvent =
  /**
   * The whole run, before its first collection: how many collections (`done` of them finished by
   * an earlier run) and, where known up front, how many records.
   */
  | { type: 'plan'; collections: number; done: number; records?: number }
  /** A collection counted before its turn (an export opens the next ones ahead): the whole run's total grows exact. */
  | { type: 'counted'; collection: string; total: number }
  | { type: 'phase'; message: string }
  | { type: 'collection-start'; collection: string; total: number; done: number; resumed: boolean }
  | { type: 'batch'; collection: string; done: number; total: number }
  | { type: 'retry'; collection: string | null; attempt: number; delayMs: number; reason: string; /** Retries allowed in all. */ of?: number }
  | { type: 'collection-done'; collection: string; done: number; total: number }
  | { type: 'warning'; message: string };

export type ProgressListener = (event: ProgressEvent) => void;

export const ignoreProgress: ProgressListener = () => undefined;
