/**
 * Creating and deleting a collection are not idempotent: when the connection drops after the
 * server did the work, a blind retry gets 409 "already exists" (create) or 404 (delete) for
 * what this run did itself. So a retry first reads the collection: the state the lost request
 * asked for is there → that request went through, go on. Upserts stay blind retries: sending a
 * batch twice leaves the same records.
 */
import type { ChromaApi, CollectionInfo, CreateCollectionRequest } from '../../chroma/api.js';
import { withRetry, type RetryOptions } from '../../util/retry.js';

/**
 * Creates the collection; a retry after a lost answer takes the collection found under that
 * name, which the lost request made (the caller saw none before sending it).
 */
export function createOnce(api: ChromaApi, request: CreateCollectionRequest, options: RetryOptions): Promise<CollectionInfo> {
  let sent = false;
  return withRetry(async () => {
    if (sent) {
      const found = await api.findCollection(request.name, { signal: options.signal });
      if (found) return found;
    }
    sent = true;
    return api.createCollection(request, { signal: options.signal });
  }, options);
}

/** Deletes the collection; a retry after a lost answer that finds it gone is done. */
export function deleteOnce(api: ChromaApi, name: string, options: RetryOptions): Promise<void> {
  let sent = false;
  return withRetry(async () => {
    if (sent && (await api.findCollection(name, { signal: options.signal })) === null) return;
    sent = true;
    await api.deleteCollection(name, { signal: options.signal });
  }, options);
}
