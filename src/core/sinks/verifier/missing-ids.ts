import type { BackupRecord } from '../../model/record.js';
import type { ChromaApi } from '../../chroma/api.js';
import { idsHeld } from '../../chroma/id-list.js';
import { withRetry } from '../../util/retry.js';

/**
 * Asks the target for each backup id (by id, a batch a request) and counts those it does not have;
 * `onMissing` gets each batch's absent records (and is waited for) before the next is asked.
 * An answer cut short (a proxy's limit) is asked again for the ids it left out (idsHeld): a
 * record the target holds is never counted missing, nor sent again.
 */
export async function countMissingIds(
  api: ChromaApi,
  collectionId: string,
  batches: AsyncIterable<BackupRecord[]>,
  signal?: AbortSignal,
  onMissing?: (records: BackupRecord[]) => void | Promise<void>,
): Promise<number> {
  const call = <T>(work: () => Promise<T>) => withRetry(work, { signal });
  let missing = 0;
  for await (const batch of batches) {
    const found = await idsHeld(api, collectionId, batch.map((record) => record.id), { call, signal, pageSize: Math.max(1, batch.length) });
    const absent = batch.filter((record) => !found.has(record.id));
    missing += absent.length;
    if (absent.length > 0) await onMissing?.(absent);
  }
  return missing;
}
