/**
 * After a re-embed's pages, its ids: what the new collection lacks of the original, and what it
 * holds that the original no longer has. The pages go by offset, which is a snapshot only while
 * nothing writes to the original: a re-embed resumed after records were deleted before its
 * checkpoint's place skips as many records, and records deleted since stay in the new collection.
 * What it lacks is read by id, embedded and sent; what the original no longer has is named, not
 * deleted (starting over is the user's choice, `--if-exists recreate`).
 */
import type { ChromaApi } from '../chroma/api.js';
import { listIdSet, listIdsAgainst, recordsByIds, type IdListOptions } from '../chroma/id-list.js';
import { reembedPage, type Embedder } from './reembed-records.js';

export interface ReembedMend {
  /** Records of the original the new collection lacked after the pages, embedded and sent now. */
  sent: number;
  /** Records in the new collection whose ids the original no longer has, and the first of them. */
  extra: number;
  extraIds: string[];
}

/** Ids named of those the original no longer has. */
const LISTED = 10;

export async function mendByIds(
  api: ChromaApi,
  collections: { original: string; created: string },
  options: IdListOptions & { embedder: Embedder; keepUndocumented: boolean; batchSize: number; base64: boolean; onSent?: (sent: number) => void },
): Promise<ReembedMend> {
  const { call, signal } = options;
  const read = { call, signal, reads: options.reads };
  const original = await listIdSet(api, collections.original, read);
  const held = await listIdsAgainst(api, collections.created, original, read);
  const lacking: string[] = [];
  for (let at = 0; at < original.size; at++) if (!held.has(at)) lacking.push(original.idAt(at));
  let sent = 0;
  // Records without a document (unless kept) are lacking by choice: read, and left out again.
  for await (const records of recordsByIds(api, collections.original, lacking, { ...read, pageSize: options.batchSize })) {
    const { records: out } = await reembedPage(options.embedder, records, options.keepUndocumented);
    if (out.length > 0) await call(() => api.upsert(collections.created, out, { base64: options.base64 }, { signal }));
    sent += out.length;
    if (out.length > 0) options.onSent?.(sent);
  }
  return { sent, extra: held.outside.size, extraIds: held.outside.slice(0, LISTED) };
}
