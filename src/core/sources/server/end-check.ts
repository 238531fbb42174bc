/**
 * An export's last word on a collection: its ids against the source's ids as they are now.
 * Offset paging is not a snapshot: a delete before the current offset shifts later pages (their
 * records are skipped), an insert repeats one. So, however the pages were read, the file is
 * brought to what the source holds at the end: records it lacks are read by id and added, ids
 * the source no longer holds are named and dropped from the file (rewrite.ts), as are repeats.
 */
import type { BackupRecord } from '../../model/record.js';
import type { ChromaApi } from '../../chroma/api.js';
import { listIdSet, recordsByIds } from '../../chroma/id-list.js';
import { CompactIdSet } from '../../util/compact-ids.js';

export interface EndCheck {
  /** Records the pages missed, read by id and added to the file. */
  added: number;
  /** Ids in the file that the source no longer holds. */
  deletedIds: string[];
  /** Records read twice (an insert shifted the pages): the file keeps one. */
  repeated: number;
  /** Records the file holds once the deleted and the repeated ones are dropped. */
  count: number;
  /** The source's ids the file was brought to (a copy's closing check may compare the target with them too). */
  source: CompactIdSet;
}

export async function checkAgainstSource(
  api: ChromaApi,
  collectionId: string,
  written: { ids: CompactIdSet; repeated: number },
  options: {
    call: <T>(work: () => Promise<T>) => Promise<T>;
    signal?: AbortSignal;
    /** Records read by id, for the file (and the writer's `written.ids`, which takes their ids). */
    add: (records: BackupRecord[]) => Promise<void>;
    /** The source's ids, listed after every page was read (ahead of the collection's turn). */
    listed?: string[];
    /** Pages of the listing in flight (id-list.ts's default otherwise). */
    reads?: number;
  },
): Promise<EndCheck> {
  // Both sides compact (id-sets.ts): at a million records, arrays of strings and Sets over them took ~200 MB.
  const source = options.listed ? setOf(options.listed) : await listIdSet(api, collectionId, options);
  const inFile = written.ids;
  const found = new Uint8Array(source.size);
  const deletedIds: string[] = [];
  for (let index = 0; index < inFile.size; index++) {
    const at = source.indexOfIdIn(inFile, index);
    if (at >= 0) found[at] = 1;
    else deletedIds.push(inFile.idAt(index));
  }
  const missing: string[] = [];
  for (let index = 0; index < source.size; index++) if (found[index] === 0) missing.push(source.idAt(index));
  let added = 0;
  for await (const batch of recordsByIds(api, collectionId, missing, options)) {
    if (batch.length === 0) continue;
    await options.add(batch);
    added += batch.length;
  }
  return { added, deletedIds, repeated: written.repeated, count: inFile.size - deletedIds.length, source };
}

function setOf(ids: string[]): CompactIdSet {
  const set = new CompactIdSet(ids.length);
  for (const id of ids) set.add(id);
  return set;
}
