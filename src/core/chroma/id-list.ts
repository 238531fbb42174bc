/**
 * What a collection holds at one moment, by id: an ids-only listing (`include: []`, cheap) in
 * pages within Cloud's read quota. Offset paging is not a snapshot — a delete or insert while
 * the pages are read shifts the later ones — so a listing counts only when it agrees with the
 * collection's count taken before and after it; otherwise it is read again.
 */
import type { BackupRecord } from '../model/record.js';
import type { ChromaApi, GetPage } from './api.js';

/** Ids per page: Cloud answers at most 300 results per read. */
const ID_PAGE = 300;
const ATTEMPTS = 5;

export interface IdListOptions {
  call: <T>(work: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
}

/** Every id of the collection, in the server's order; a listing the count confirms, or the last one read. */
export async function listIds(api: ChromaApi, collectionId: string, options: IdListOptions): Promise<string[]> {
  const { call, signal } = options;
  let ids: string[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const before = await call(() => api.count(collectionId, { signal }));
    ids = [];
    for (let offset = 0; ; offset += ID_PAGE) {
      const page = await call(() => api.get(collectionId, { limit: ID_PAGE, offset, include: [] }, { signal }));
      ids.push(...page.ids);
      if (page.ids.length < ID_PAGE) break;
    }
    const after = await call(() => api.count(collectionId, { signal }));
    if (before === after && new Set(ids).size === after) return ids;
  }
  return [...new Set(ids)];
}

/** A `get` answer as records (absent columns as null). */
export function pageRecords(page: GetPage): BackupRecord[] {
  return page.ids.map((id, index) => ({
    id,
    document: page.documents?.[index] ?? null,
    metadata: page.metadatas?.[index] ?? null,
    embedding: page.embeddings?.[index] ?? null,
    uri: page.uris?.[index] ?? null,
  }));
}

/** The records with these ids (those the collection still holds), read in pages within the quota. */
export async function* recordsByIds(api: ChromaApi, collectionId: string, ids: string[], options: IdListOptions & { batch?: number }): AsyncGenerator<BackupRecord[]> {
  const size = Math.min(options.batch ?? 250, ID_PAGE);
  for (let from = 0; from < ids.length; from += size) {
    const chunk = ids.slice(from, from + size);
    const page = await options.call(() => api.get(collectionId, { ids: chunk, include: ['embeddings', 'documents', 'metadatas', 'uris'] }, { signal: options.signal }));
    yield pageRecords(page);
  }
}
