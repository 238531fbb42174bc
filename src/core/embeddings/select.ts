/** The collections an embeddings command works on: those named, or all of them. */
import type { ChromaApi, CollectionInfo } from '../chroma/api.js';
import { MigrateError } from '../util/errors.js';
import { inQuotes } from '../util/format.js';

export async function selectCollections(api: ChromaApi, names: string[] | undefined, signal?: AbortSignal): Promise<CollectionInfo[]> {
  const all = await api.allCollections({ signal });
  if (!names || names.length === 0) return all;
  const missing = names.filter((name) => !all.some((info) => info.name === name));
  if (missing.length > 0) {
    throw new MigrateError('NOT_FOUND', `The target has no collection named ${missing.map(inQuotes).join(', ')}.`, `It holds: ${all.map((info) => info.name).join(', ') || '(none)'}.`);
  }
  return names.map((name) => all.find((info) => info.name === name) as CollectionInfo);
}
