/**
 * Points a collection's embedding function at the endpoint: `PUT …/collections/{id}` with
 * `{"new_configuration": {"embedding_function": …}}`, raw HTTP (Chroma's own clients refuse to
 * change an EF's type). The server validates nothing and stores what it is sent, so the change is
 * read back: `configuration_json` and, on servers with schemas (≥ 1.3), the vector index's copies
 * in `schema.defaults` and `schema.keys["#embedding"]`, which the server rewrites together.
 */
import type { ChromaApi, CollectionInfo } from '../chroma/api.js';
import { asEmbeddingFunction, EMBEDDING_KEY, isObject, sameJson, vectorConfigOf, type EmbeddingFunctionConfig } from '../collection/shape.js';
import { MigrateError } from '../util/errors.js';
import type { EmbeddingFunctionJson } from './ef-config.js';
import { inQuotes } from '../util/format.js';

export interface RepointResult {
  collection: string;
  before: EmbeddingFunctionConfig | null;
  sent: EmbeddingFunctionJson;
  /** Each place the server keeps the EF, as read back after the change. */
  readBack: Array<{ place: string; value: unknown }>;
  /** Every place reads back as sent. */
  ok: boolean;
}

/** Where a collection's EF is kept, by the name a person can look for in the server's JSON. */
function embeddingFunctionPlaces(info: CollectionInfo): Array<{ place: string; value: unknown }> {
  const places: Array<{ place: string; value: unknown }> = [{ place: 'configuration_json.embedding_function', value: info.configuration_json?.embedding_function ?? null }];
  const schema = isObject(info.schema) ? info.schema : null;
  if (!schema) return places;
  const defaults = vectorConfigOf(schema.defaults);
  if (defaults) places.push({ place: 'schema.defaults.float_list.vector_index.config.embedding_function', value: defaults.embedding_function ?? null });
  const own = vectorConfigOf(isObject(schema.keys) ? schema.keys[EMBEDDING_KEY] : null);
  if (own) places.push({ place: `schema.keys["${EMBEDDING_KEY}"].float_list.vector_index.config.embedding_function`, value: own.embedding_function ?? null });
  return places;
}

export async function repointCollection(api: ChromaApi, info: CollectionInfo, ef: EmbeddingFunctionJson, signal?: AbortSignal): Promise<RepointResult> {
  const before = asEmbeddingFunction(info.configuration_json?.embedding_function) ?? null;
  await api.updateConfiguration(info.id, { embedding_function: ef }, { signal });
  const after = await api.findCollection(info.name, { signal });
  if (!after) throw new MigrateError('SERVER', `Collection ${inQuotes(info.name)} cannot be read back after its embedding function was changed.`, 'Check the server\'s logs; read the collection with chroma-migrate embeddings check.');
  const readBack = embeddingFunctionPlaces(after);
  return { collection: info.name, before, sent: ef, readBack, ok: readBack.every((entry) => sameJson(entry.value, ef)) };
}
