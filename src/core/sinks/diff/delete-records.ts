import type { Endpoint } from '../../chroma/endpoint.js';
import { chromaRequest } from '../../chroma/http.js';

/** Deletes records by id from a target collection (sync --prune; never called on a source). */
export async function deleteRecords(target: Endpoint, collectionId: string, ids: string[], options: { signal?: AbortSignal } = {}): Promise<void> {
  const base = `/api/v2/tenants/${encodeURIComponent(target.tenant)}/databases/${encodeURIComponent(target.database)}`;
  await chromaRequest(target, 'POST', `${base}/collections/${collectionId}/delete`, { ...options, body: { ids } });
}
