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
