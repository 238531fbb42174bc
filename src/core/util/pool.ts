/**
 * A bound on what the items in flight hold together, besides their count: each item's `weight`
 * (e.g. the ids a collection's check will hold), at most `budget` summed over those running. An
 * item heavier than the budget still runs, alone.
 */
export interface Within<T> {
  weight: (item: T, index: number) => number;
  budget: number;
}

/**
 * Work over many items with at most `limit` in flight: several collections moving at once, so
 * one collection's fixed round trips (list, count, create, read back, closing checks) overlap
 * with another's records. Results come back in the items' order. Items start in their order;
 * with `within`, the next one waits until its weight fits beside those running. After the first
 * failure no new item starts; the ones running are waited for (so none is left writing), then
 * the first failure is thrown.
 */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>, within?: Within<T>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const weightOf = (index: number): number => (within ? Math.max(0, within.weight(items[index] as T, index)) : 0);
  const budget = within?.budget ?? Number.POSITIVE_INFINITY;
  let next = 0;
  let running = 0;
  let held = 0;
  let failure: { error: unknown } | null = null;
  await new Promise<void>((resolve) => {
    const startWhatFits = (): void => {
      while (failure === null && next < items.length && running < Math.max(1, limit) && (running === 0 || held + weightOf(next) <= budget)) {
        const index = next++;
        const weight = weightOf(index);
        running++;
        held += weight;
        let pending: Promise<R>;
        try {
          pending = work(items[index] as T, index);
        } catch (error) {
          pending = Promise.reject(error);
        }
        pending
          .then((result) => void (results[index] = result), (error: unknown) => void (failure ??= { error }))
          .finally(() => {
            running--;
            held -= weight;
            startWhatFits();
          });
      }
      if (running === 0) resolve();
    };
    startWhatFits();
  });
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}

/** Collections in flight unless told otherwise (--parallel). */
export const DEFAULT_PARALLEL = 4;

/**
 * `count` requests with at most `limit` in flight, their results yielded in order: pages of a
 * listing or of records read by id, where each request is mostly a round trip, so the next ones
 * are already on the way while the caller handles the current one. Leaving early (or a failure)
 * waits for the requests still in flight, so none outlives the caller.
 */
export async function* aheadInOrder<R>(count: number, limit: number, request: (index: number) => Promise<R>): AsyncGenerator<R> {
  const inFlight: Array<Promise<R>> = [];
  let next = 0;
  const start = (): void => {
    const pending = request(next++);
    // Awaited below in order; until then a failure must not count as unhandled.
    pending.catch(() => undefined);
    inFlight.push(pending);
  };
  try {
    while (next < count && inFlight.length < Math.max(1, limit)) start();
    while (inFlight.length > 0) {
      const result = await (inFlight.shift() as Promise<R>);
      if (next < count) start();
      yield result;
    }
  } finally {
    await Promise.allSettled(inFlight);
  }
}
