import type { BackupRecord } from '../../model/record.js';
import type { ChromaApi } from '../../chroma/api.js';
import { withRetry } from '../../util/retry.js';

/**
 * Asks the target for each backup id (by id, 300 at a time) and counts those it does not have;
 * `onMissing` gets each batch's absent records (and is waited for) before the next is asked.
 */
export async function countMissingIds(
  api: ChromaApi,
  collectionId: string,
  batches: AsyncIterable<BackupRecord[]>,
  signal?: AbortSignal,
  onMissing?: (records: BackupRecord[]) => void | Promise<void>,
): Promise<number> {
  let missing = 0;
  for await (const batch of batches) {
    const ids = batch.map((record) => record.id);
    const page = await withRetry(() => api.get(collectionId, { ids, include: [] }, { signal }), { signal });
    const found = new Set(page.ids);
    const absent = batch.filter((record) => !found.has(record.id));
    missing += absent.length;
    if (absent.length > 0) await onMissing?.(absent);
  }
  return missing;
}
