/**
 * Runs numbered batches with at most `concurrency` in flight and reports the commit
 * watermark: the number of leading batches that have all finished. Batches finish out of order;
 * only the watermark is safe to persist, so a crash re-sends no more than what was in flight.
 */
export async function runBatches<T>(
  batches: AsyncIterable<T>,
  options: {
    concurrency: number;
    signal?: AbortSignal;
    send: (batch: T, index: number, signal: AbortSignal) => Promise<void>;
    /** Called in order, once per batch, when every batch up to it has finished. */
    onCommitted: (batch: T, index: number) => Promise<void> | void;
  },
): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stop, { once: true });
  const inFlight = new Set<Promise<void>>();
  const finished = new Map<number, T>();
  let nextToCommit = 0;
  let failure: unknown = null;
  let commitChain: Promise<void> = Promise.resolve();

  const commitReady = () => {
    commitChain = commitChain.then(async () => {
      while (finished.has(nextToCommit)) {
        const batch = finished.get(nextToCommit) as T;
        finished.delete(nextToCommit);
        await options.onCommitted(batch, nextToCommit);
        nextToCommit++;
      }
    });
    return commitChain;
  };

  try {
    let index = 0;
    for await (const batch of batches) {
      // The next batch is read while earlier ones are in flight, then waits here for a slot:
      // reading and encoding overlap the server's work instead of idling it (one batch ahead).
      while (inFlight.size >= options.concurrency && failure === null && !controller.signal.aborted) await Promise.race(inFlight);
      if (failure !== null || controller.signal.aborted) break;
      const mine = index++;
      const task: Promise<void> = options
        .send(batch, mine, controller.signal)
        .then(() => {
          finished.set(mine, batch);
          return commitReady();
        })
        .catch((error: unknown) => {
          if (failure === null) failure = error;
          controller.abort(error);
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
  } catch (error) {
    // The batch source failed (a damaged file): stop sending, but let what is in flight land
    // (aborting it would only mean sending it again on resume).
    if (failure === null) failure = error;
  }
  try {
    await Promise.all(inFlight);
    await commitChain;
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
  if (failure !== null) throw failure;
  options.signal?.throwIfAborted();
}
