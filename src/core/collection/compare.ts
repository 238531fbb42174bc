/**
 * Is the collection on the target what the plan intended? Used right after import creates it
 * and again by verify: the embedding function, the space, the HNSW parameters and the schema
 * switches, each difference named.
 */
import type { CollectionInfo } from '../chroma/api.js';
import { spaceOf } from '../chroma/api.js';
import type { Metadata } from '../model/record.js';
import { describeValue, sameValue } from '../model/compare-values.js';
import type { CollectionFacts, CollectionPlan } from './plan.js';
import {
  asEmbeddingFunction,
  describeEmbeddingFunction,
  HNSW_FIELDS,
  isObject,
  pickHnsw,
  sameJson,
  schemaSwitches,
  schemaVectorConfig,
  withoutLegacyKeys,
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

/**
 * The collection's own metadata, type for type (2.0 stays a float). Legacy "hnsw:*" keys are
 * settings, compared above as the space and HNSW; "chroma:*" keys are the server's own.
 */
export function compareCollectionMetadata(intended: Metadata | null, info: CollectionInfo): CollectionDifference[] {
  const want = withoutLegacyKeys(intended) ?? {};
  const have = withoutLegacyKeys(info.metadata) ?? {};
  const out: CollectionDifference[] = [];
  for (const key of new Set([...Object.keys(want), ...Object.keys(have)])) {
    if (key.startsWith('chroma:')) continue;
    const wanted = Object.hasOwn(want, key) ? want[key]! : undefined;
    const got = Object.hasOwn(have, key) ? have[key]! : undefined;
    if (wanted !== undefined && got !== undefined && sameValue(got, wanted)) continue;
    out.push({ field: `metadata.${key}`, expected: wanted === undefined ? 'absent' : describeValue(wanted), actual: got === undefined ? 'absent' : describeValue(got) });
  }
  return out;
}

/** Everything the plan asked of the collection: its settings and its metadata. */
export function compareWithPlan(plan: Pick<CollectionPlan, 'intended' | 'request'>, info: CollectionInfo): CollectionDifference[] {
  return [...compareCollection(plan.intended, info), ...compareCollectionMetadata(plan.request.metadata ?? null, info)];
}

export function describeDifference(difference: CollectionDifference): string {
  return `${difference.field}: expected ${difference.expected}, the target has ${difference.actual}`;
}
