/**
 * Is the collection on the target what the plan intended? Used right after import creates it
 * and again by verify: the embedding function, the space, the HNSW parameters and the schema
 * switches, each difference named.
 */
import type { CollectionInfo } from '../chroma/api.js';
import { spaceOf } from '../chroma/api.js';
import type { Metadata } from '../model/record.js';
import { WholeFloat } from '../model/values.js';
import { stringifyTyped } from '../model/typed-json.js';
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
    // configuration_json leaves out some parameters the schema's vector index shows (num_threads).
    hnsw: { ...pickHnsw(vector?.hnsw), ...pickHnsw(config?.hnsw) },
    switches: schemaSwitches(info.schema),
  };
}

export interface CompareOptions {
  /** The backup's settings were written untyped (1.0 as 1): their numbers compare by value. */
  looseNumbers?: boolean;
  /** The backup recorded the collection's settings, so an embedding function it lacks is one the target must lack too. */
  settingsRecorded?: boolean;
}

function compareCollection(intended: CollectionFacts, info: CollectionInfo, options: CompareOptions = {}): CollectionDifference[] {
  const actual = factsOf(info);
  const out: CollectionDifference[] = [];
  const efDiffers = intended.embeddingFunction
    ? !sameJson(intended.embeddingFunction, actual.embeddingFunction, options.looseNumbers)
    : options.settingsRecorded === true && actual.embeddingFunction !== null && actual.embeddingFunction.type !== 'legacy';
  if (efDiffers) {
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
    if (want !== undefined && !Object.is(want, actual.hnsw[field])) out.push({ field: `hnsw.${field}`, expected: String(want), actual: String(actual.hnsw[field] ?? 'unset') });
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
function compareCollectionMetadata(intended: Metadata | null, info: CollectionInfo): CollectionDifference[] {
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

/**
 * Every value the plan's schema sets, at the same place in the target's schema, type for type
 * (num_threads, an index's config, an embedding function's config). A place the target does not
 * show is not held against it here: the switches above name a missing index.
 */
function compareSchemaValues(intended: unknown, actual: unknown, options: CompareOptions = {}, path = 'schema'): CollectionDifference[] {
  if (isObject(intended) && isObject(actual)) {
    return Object.keys(intended).flatMap((key) => (Object.hasOwn(actual, key) ? compareSchemaValues(intended[key], actual[key], options, `${path}.${key}`) : []));
  }
  if (intended === undefined || actual === undefined || isObject(intended) !== isObject(actual) || sameJson(intended, actual, options.looseNumbers)) return [];
  return [{ field: path, expected: describeJson(intended), actual: describeJson(actual) }];
}

function describeJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || value instanceof WholeFloat) {
    return value === null ? 'null' : describeValue(value);
  }
  return stringifyTyped(value);
}

/** Everything the plan asked of the collection: its settings, its schema's values and its metadata. */
export function compareWithPlan(plan: Pick<CollectionPlan, 'intended' | 'request'>, info: CollectionInfo, options: CompareOptions = {}): CollectionDifference[] {
  const settings = compareCollection(plan.intended, info, options);
  // The embedding function and the switches are named above already, once.
  const named = new Set(settings.map((difference) => difference.field));
  const values = plan.request.schema ? compareSchemaValues(plan.request.schema, info.schema, options).filter((difference) => !isNamed(difference.field, named)) : [];
  return [...settings, ...values, ...compareCollectionMetadata(plan.request.metadata ?? null, info)];
}

function isNamed(field: string, named: Set<string>): boolean {
  if (named.has('embedding_function') && field.includes('.embedding_function')) return true;
  // The schema's copies of an HNSW parameter (defaults and #embedding) are the parameter named above.
  const hnsw = /\.hnsw\.([^.]+)$/.exec(field)?.[1];
  if (hnsw && named.has(`hnsw.${hnsw}`)) return true;
  return [...named].some((name) => field === name || field.startsWith(`${name}.`));
}

export function describeDifference(difference: CollectionDifference): string {
  return `${difference.field}: expected ${difference.expected}, the target has ${difference.actual}`;
}
