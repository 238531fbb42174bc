/**
 * Is the collection on the target what the plan intended? Used right after import creates it
 * and again by verify: the embedding function, the space, the HNSW parameters and the schema
 * switches, each difference named.
 */
import type { CollectionInfo } from '../chroma/api.js';
import { spaceOf } from '../chroma/api.js';
import type { CollectionFacts } from './plan.js';
import {
  asEmbeddingFunction,
  describeEmbeddingFunction,
  HNSW_FIELDS,
  isObject,
  pickHnsw,
  sameJson,
  schemaSwitches,
  schemaVectorConfig,
} from './shape.js';

export interface CollectionDifference {
  /** "embedding_function", "space", "hnsw.max_neighbors", "schema.keys.#document.string.fts_index" */
  field: string;
  expected: string;
  actual: string;
}

/** What a collection on a server shows, read the same way as the plan's intent. */
export function factsOf(info: CollectionInfo): CollectionFacts {
  const config = isObject(info.configuration_json) ? info.configuration_json : null;
  const vector = schemaVectorConfig(info.schema);
  return {
    space: spaceOf(info),
    embeddingFunction: asEmbeddingFunction(config?.embedding_function) ?? asEmbeddingFunction(vector?.embedding_function),
    hnsw: pickHnsw(isObject(config?.hnsw) ? config.hnsw : vector?.hnsw),
    switches: schemaSwitches(info.schema),
  };
}

export function compareCollection(intended: CollectionFacts, info: CollectionInfo): CollectionDifference[] {
  const actual = factsOf(info);
  const out: CollectionDifference[] = [];
  if (intended.embeddingFunction && !sameJson(intended.embeddingFunction, actual.embeddingFunction)) {
    out.push({
      field: 'embedding_function',
      expected: describeEmbeddingFunction(intended.embeddingFunction),
      actual: describeEmbeddingFunction(actual.embeddingFunction),
    });
  }
  // A server that says nothing about its space uses l2, Chroma's default.
  if (intended.space && intended.space !== (actual.space ?? 'l2')) out.push({ field: 'space', expected: intended.space, actual: actual.space ?? 'l2 (default)' });
  for (const field of HNSW_FIELDS) {
    const want = intended.hnsw[field];
    if (want !== undefined && want !== actual.hnsw[field]) out.push({ field: `hnsw.${field}`, expected: String(want), actual: String(actual.hnsw[field] ?? 'unset') });
  }
  for (const [path, want] of Object.entries(intended.switches)) {
    const have = actual.switches[path];
    if (have !== want) out.push({ field: `schema.${path}`, expected: want ? 'enabled' : 'disabled', actual: have === undefined ? 'absent' : have ? 'enabled' : 'disabled' });
  }
  return out;
}

export function describeDifference(difference: CollectionDifference): string {
  return `${difference.field}: expected ${difference.expected}, the target has ${difference.actual}`;
}
