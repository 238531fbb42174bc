/**
 * Work over many items with at most `limit` in flight: several collections moving at once, so
 * one collection's fixed round trips (list, count, create, read back, closing checks) overlap
 * with another's records. Results come back in the items' order. After the first failure no
 * new item starts; the ones running are waited for (so none is left writing), then the first
 * failure is thrown.
 */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
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
