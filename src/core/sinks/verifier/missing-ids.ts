import type { BackupRecord } from '../../model/record.js';
import type { ChromaApi } from '../../chroma/api.js';
import { withRetry } from '../../util/retry.js';

/** Asks the target for each backup id (by id, 300 at a time) and counts those it does not have. */
export async function countMissingIds(
  api: ChromaApi,
  collectionId: string,
  batches: AsyncIterable<BackupRecord[]>,
  signal?: AbortSignal,
  onMissing?: (ids: string[]) => void,
): Promise<number> {
  let missing = 0;
  for await (const batch of batches) {
    const ids = batch.map((record) => record.id);
    const page = await withRetry(() => api.get(collectionId, { ids, include: [] }, { signal }), { signal });
    const found = new Set(page.ids);
    const absent = ids.filter((id) => !found.has(id));
    missing += absent.length;
    if (absent.length > 0) onMissing?.(absent);
  }
  return missing;
}
