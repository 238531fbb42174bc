/**
 * The new collection of a re-embed, described as the target writer takes a collection: the
 * source's metadata, space, HNSW settings and schema switches, with the embedding function
 * pointing at the endpoint (in the configuration and in every vector index of the schema) and the
 * endpoint's dimension. A sparse index the source names stays as the target holds it (disabled).
 */
import { createHash } from 'node:crypto';
import { spaceOf, type CollectionInfo } from '../chroma/api.js';
import { allVectorConfigs, isObject } from '../collection/shape.js';
import type { CollectionHeader } from '../model/record.js';
import type { EmbeddingFunctionJson } from './ef-config.js';
import type { EmbeddingEndpoint } from './endpoint.js';

export function reembedHeader(info: CollectionInfo, count: number, ef: EmbeddingFunctionJson, dimension: number): CollectionHeader {
  const configuration = isObject(info.configuration_json) ? { ...info.configuration_json, embedding_function: ef } : { embedding_function: ef };
  const schema = isObject(info.schema) ? structuredClone(info.schema) : null;
  if (schema) for (const vector of allVectorConfigs(schema)) vector.embedding_function = ef;
  return { name: info.name, metadata: info.metadata, space: spaceOf(info), configuration, schema, count, dimension };
}

/**
 * What a checkpoint of this re-embed is keyed by: the source collection (its id, so a collection
 * deleted and made again under the same name starts afresh), the endpoint, the model and how
 * documents are turned into text. Another of these is another re-embed.
 */
export function reembedFingerprint(info: CollectionInfo, endpoint: EmbeddingEndpoint, instruction: string, keepUndocumented: boolean): string {
  const key = JSON.stringify([info.id, endpoint.postUrl, endpoint.model, instruction, keepUndocumented]);
  return `reembed:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}
