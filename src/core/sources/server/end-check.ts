/**
 * An export's last word on a collection: its ids against the source's ids as they are now.
 * Offset paging is not a snapshot: a delete before the current offset shifts later pages (their
 * records are skipped), an insert repeats one. So, however the pages were read, the file is
 * brought to what the source holds at the end: records it lacks are read by id and added, ids
 * the source no longer holds are named and dropped from the file (rewrite.ts), as are repeats.
 * An id is dropped (and a copy deletes it from its target) only once the source, asked for it by
 * id, lacks it: a listing its count confirms can still miss one when the source deletes a record
 * and adds another while it is read (the pages after the delete shift by one).
 */
import type { BackupRecord } from '../../model/record.js';
import type { ChromaApi } from '../../chroma/api.js';
import { idsHeld, listIdsAgainst, recordsByIds } from '../../chroma/id-list.js';
import type { CompactIdSet } from '../../util/compact-ids.js';
import { IdsAgainst } from '../../util/ids-against.js';

export interface EndCheck {
  /** Records the pages missed, read by id and added to the file. */
  added: number;
  /** Ids in the file that the source no longer holds. */
  deletedIds: string[];
  /** Records read twice (an insert shifted the pages): the file keeps one. */
  repeated: number;
  /** Records the file holds once the deleted and the repeated ones are dropped. */
  count: number;
  /**
   * The source's ids the file was brought to, as listed against the file's ids (a copy's closing
   * check may compare the target with them too, listed against the same ids).
   */
  source: IdsAgainst;
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
    /** The collection's name, for an error that names it. */
    name?: string;
  },
): Promise<EndCheck> {
  // The source listed against the file's ids (ids-against.ts): one set held, not two. At a
  // million records a second compact set took ~35–55 MB, arrays of strings and Sets ~200 MB.
  const inFile = written.ids;
  const source = options.listed ? against(inFile, options.listed) : await listIdsAgainst(api, collectionId, inFile, options);
  const unlisted: string[] = [];
  for (let index = 0; index < inFile.size; index++) if (!source.has(index)) unlisted.push(inFile.idAt(index));
  // Held after all: listed wrongly, so the listing takes them too (a copy's closing check compares with it).
  const held = unlisted.length > 0 ? await idsHeld(api, collectionId, unlisted, options) : new Set<string>();
  for (const id of held) source.add(id);
  const deletedIds = unlisted.filter((id) => !held.has(id));
  // In the order listed; each one read by id joins the file's ids (the writer adds them).
  const missing: string[] = [];
  for (let index = 0; index < source.outside.size; index++) missing.push(source.outside.idAt(index));
  let added = 0;
  for await (const batch of recordsByIds(api, collectionId, missing, options)) {
    if (batch.length === 0) continue;
    await options.add(batch);
    added += batch.length;
  }
  return { added, deletedIds, repeated: written.repeated, count: inFile.size - deletedIds.length, source };
}

function against(index: CompactIdSet, ids: string[]): IdsAgainst {
  const listed = new IdsAgainst(index);
  for (const id of ids) listed.add(id);
  return listed;
}
