/**
 * An export's last word on a collection: its ids against the source's ids as they are now.
 * Offset paging is not a snapshot: a delete before the current offset shifts later pages (their
 * records are skipped), an insert repeats one. So, however the pages were read, the file is
 * brought to what the source holds at the end: records it lacks are read by id and added, ids
 * the source no longer holds are named and dropped from the file (rewrite.ts), as are repeats.
 */
import type { BackupRecord } from '../../model/record.js';
import type { ChromaApi } from '../../chroma/api.js';
import { listIds, recordsByIds } from '../../chroma/id-list.js';

export interface EndCheck {
  /** Records the pages missed, read by id and added to the file. */
  added: number;
  /** Ids in the file that the source no longer holds. */
  deletedIds: string[];
  /** Records read twice (an insert shifted the pages): the file keeps one. */
  repeated: number;
  /** Records the file holds once the deleted and the repeated ones are dropped. */
  count: number;
}

export async function checkAgainstSource(
  api: ChromaApi,
  collectionId: string,
  written: readonly string[],
  options: {
    call: <T>(work: () => Promise<T>) => Promise<T>;
    signal?: AbortSignal;
    add: (records: BackupRecord[]) => Promise<void>;
    /** The source's ids, listed after every page was read (ahead of the collection's turn). */
    listed?: string[];
  },
): Promise<EndCheck> {
  const sourceIds = options.listed ?? (await listIds(api, collectionId, options));
  const inFile = new Set(written);
  const missing = sourceIds.filter((id) => !inFile.has(id));
  let added = 0;
  for await (const batch of recordsByIds(api, collectionId, missing, options)) {
    if (batch.length === 0) continue;
    await options.add(batch);
    added += batch.length;
    for (const record of batch) inFile.add(record.id);
  }
  const atSource = new Set(sourceIds);
  const deletedIds = [...inFile].filter((id) => !atSource.has(id));
  return { added, deletedIds, repeated: written.length - new Set(written).size, count: inFile.size - deletedIds.length };
}
