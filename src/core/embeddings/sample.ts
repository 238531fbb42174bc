/**
 * A sample of a collection's stored documents with their vectors, spread over the whole
 * collection (first, last and evenly between), so a collection filled in stages by different
 * models is not judged by its oldest records alone.
 */
import type { ChromaApi } from '../chroma/api.js';
import type { Embedding } from '../model/record.js';

export interface SampledRecord {
  id: string;
  document: string;
  embedding: Embedding;
}

export const DEFAULT_SAMPLE = 50;
/** Records read at each place: a record without a document is passed over for the next. */
const WINDOW = 4;

export async function sampleDocuments(
  api: ChromaApi,
  collection: { id: string; count: number },
  size: number,
  signal?: AbortSignal,
): Promise<{ records: SampledRecord[]; withoutDocument: number }> {
  const places = Math.min(size, collection.count);
  const offsets = [...new Set(Array.from({ length: places }, (_, k) => (places === 1 ? 0 : Math.round((k * (collection.count - 1)) / (places - 1)))))];
  const records: SampledRecord[] = [];
  const seen = new Set<string>();
  let withoutDocument = 0;
  for (const place of offsets) {
    // The window ends inside the collection: the last place still has records to choose from.
    const offset = Math.max(0, Math.min(place, collection.count - WINDOW));
    const page = await api.get(collection.id, { limit: WINDOW, offset, include: ['embeddings', 'documents'] }, { signal });
    const index = page.ids.findIndex((id, i) => !seen.has(id) && typeof page.documents?.[i] === 'string' && page.embeddings?.[i]);
    if (index < 0) {
      withoutDocument++;
      continue;
    }
    const id = page.ids[index] as string;
    seen.add(id);
    records.push({ id, document: page.documents?.[index] as string, embedding: page.embeddings?.[index] as Embedding });
  }
  return { records, withoutDocument };
}
