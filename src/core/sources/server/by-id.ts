/**
 * A collection read by id rather than by offset: every id (an ids-only `get`, cheap), then the
 * records of chosen ids. Offset paging is not a snapshot, but an id set read start to end says
 * what the collection held, and a read by ids returns exactly those records.
 */
import type { BackupRecord } from '../../model/record.js';
import type { ChromaApi } from '../../chroma/api.js';
import { pageRecords } from '../../chroma/id-list.js';

export interface ByIdOptions {
  /** Ids or records per request: at most 300 on Chroma Cloud, its read quota. */
  pageSize: number;
  signal?: AbortSignal;
  /** Wraps each request in the caller's retry and error wording. */
  call: <T>(work: () => Promise<T>) => Promise<T>;
}

export async function allIds(api: ChromaApi, collectionId: string, options: ByIdOptions): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += options.pageSize) {
    const page = await options.call(() => api.get(collectionId, { limit: options.pageSize, offset, include: [] }, { signal: options.signal }));
    ids.push(...page.ids);
    if (page.ids.length < options.pageSize) return ids;
  }
}

/** The records of `ids`, page by page (a missing id is simply absent from its page). */
export async function* recordsByIds(api: ChromaApi, collectionId: string, ids: string[], options: ByIdOptions): AsyncGenerator<BackupRecord[]> {
  for (let from = 0; from < ids.length; from += options.pageSize) {
    const chunk = ids.slice(from, from + options.pageSize);
    const page = await options.call(() => api.get(collectionId, { ids: chunk, include: ['embeddings', 'documents', 'metadatas', 'uris'] }, { signal: options.signal }));
    yield pageRecords(page);
  }
}
