/**
 * Reading Chroma's collection JSON: `configuration_json` (`{hnsw|spann, embedding_function}`)
 * and `schema` (`{defaults, keys}`), shapes from chroma-core/chroma rust/types/src/
 * collection_configuration.rs, hnsw_configuration.rs and collection_schema.rs. Both are kept as
 * loose JSON: a newer server's fields must survive a round trip through code that does not
 * know them yet.
 */
import type { CollectionJson, Metadata, Space } from '../model/record.js';
import { WholeFloat } from '../model/values.js';
import { inQuotes, shown } from '../util/format.js';

export interface EmbeddingFunctionConfig {
  /** "known", "legacy" or "unknown". */
  type: string;
  name?: string;
  config?: unknown;
}

/** The HNSW parameters a collection keeps and a server reports back in `configuration_json.hnsw`. */
export const HNSW_FIELDS = ['ef_construction', 'ef_search', 'max_neighbors', 'resize_factor', 'sync_threshold'] as const;
type HnswField = (typeof HNSW_FIELDS)[number];
export type HnswParams = Partial<Record<HnswField, number>>;

/** The embedding vector's key in a schema; its vector index holds space, EF and HNSW/SPANN. */
export const EMBEDDING_KEY = '#embedding';

export function isObject(value: unknown): value is CollectionJson {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof WholeFloat);
}

export function asSpace(value: unknown): Space | null {
  return value === 'l2' || value === 'cosine' || value === 'ip' ? value : null;
}

export function asEmbeddingFunction(value: unknown): EmbeddingFunctionConfig | null {
  return isObject(value) && typeof value.type === 'string' ? (value as unknown as EmbeddingFunctionConfig) : null;
}

/** `schema.keys["#embedding"].float_list.vector_index.config`, else the defaults' one. */
export function schemaVectorConfig(schema: CollectionJson | null | undefined): CollectionJson | null {
  if (!isObject(schema)) return null;
  const keys = isObject(schema.keys) ? schema.keys : {};
  return vectorConfigOf(keys[EMBEDDING_KEY]) ?? vectorConfigOf(schema.defaults);
}

export function vectorConfigOf(valueTypes: unknown): CollectionJson | null {
  if (!isObject(valueTypes) || !isObject(valueTypes.float_list)) return null;
  const index = valueTypes.float_list.vector_index;
  return isObject(index) && isObject(index.config) ? index.config : null;
}

/** Every vector index config in a schema (defaults and each key), for changing them in place. */
export function allVectorConfigs(schema: CollectionJson): CollectionJson[] {
  const scopes = [schema.defaults, ...(isObject(schema.keys) ? Object.values(schema.keys) : [])];
  return scopes.map(vectorConfigOf).filter((config): config is CollectionJson => config !== null);
}

export function pickHnsw(source: unknown): HnswParams {
  const out: HnswParams = {};
  if (!isObject(source)) return out;
  for (const field of HNSW_FIELDS) {
    // Read typed, a whole float (resize_factor 1.0) is a WholeFloat; a parameter is its number.
    const raw = source[field];
    const value = raw instanceof WholeFloat ? raw.value : raw;
    if (typeof value === 'number' && Number.isFinite(value)) out[field] = value;
  }
  return out;
}

/** What the source said about its vector index, wherever it said it. */
export interface SourceIndex {
  space: Space | null;
  embeddingFunction: EmbeddingFunctionConfig | null;
  hnsw: CollectionJson | null;
  spann: CollectionJson | null;
}

export function sourceIndexOf(configuration: CollectionJson | null | undefined, schema: CollectionJson | null | undefined, metadata: Metadata | null): SourceIndex {
  const vector = schemaVectorConfig(schema);
  const config = isObject(configuration) ? configuration : null;
  const hnsw = isObject(config?.hnsw) ? config.hnsw : isObject(vector?.hnsw) ? vector.hnsw : null;
  const spann = hnsw ? null : isObject(config?.spann) ? config.spann : isObject(vector?.spann) ? vector.spann : null;
  const legacy = hnsw || spann ? null : legacyHnsw(metadata);
  return {
    space: asSpace(hnsw?.space) ?? asSpace(spann?.space) ?? asSpace(vector?.space) ?? asSpace(metadata?.['hnsw:space']),
    embeddingFunction: asEmbeddingFunction(config?.embedding_function) ?? asEmbeddingFunction(vector?.embedding_function),
    hnsw: hnsw ?? legacy,
    spann,
  };
}

/** 0.x kept HNSW settings as collection metadata ("hnsw:M" …); Chroma 1.x still reads them. */
const LEGACY_KEYS: Record<string, HnswField | 'space'> = {
  'hnsw:space': 'space',
  'hnsw:construction_ef': 'ef_construction',
  'hnsw:search_ef': 'ef_search',
  'hnsw:M': 'max_neighbors',
  'hnsw:resize_factor': 'resize_factor',
  'hnsw:sync_threshold': 'sync_threshold',
};

/** Machine-bound settings of 0.x that a 1.x configuration does not take. */
export const LEGACY_UNCARRIED = ['hnsw:num_threads', 'hnsw:batch_size'];

function legacyHnsw(metadata: Metadata | null): CollectionJson | null {
  if (!metadata) return null;
  const out: CollectionJson = {};
  for (const [key, field] of Object.entries(LEGACY_KEYS)) {
    const value = metadata[key];
    // Metadata is read typed ("hnsw:resize_factor": 1.0 is a WholeFloat); a configuration takes a number.
    if (value !== undefined && value !== null) out[field] = value instanceof WholeFloat ? value.value : value;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** "hnsw:*" metadata counts as a configuration on a 1.x server: it travels as one instead. */
export function withoutLegacyKeys(metadata: Metadata | null): Metadata | null {
  if (!metadata) return null;
  const rest = Object.fromEntries(Object.entries(metadata).filter(([key]) => !key.startsWith('hnsw:')));
  return Object.keys(rest).length > 0 ? rest : null;
}

/** Every `{enabled}` switch of a schema: "keys.#document.string.fts_index" → true. */
export function schemaSwitches(schema: CollectionJson | null | undefined): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  if (!isObject(schema)) return out;
  const scopes: Array<[string, unknown]> = [['defaults', schema.defaults]];
  if (isObject(schema.keys)) for (const [key, value] of Object.entries(schema.keys)) scopes.push([`keys.${key}`, value]);
  for (const [scope, valueTypes] of scopes) {
    if (!isObject(valueTypes)) continue;
    for (const [valueType, indexes] of Object.entries(valueTypes)) {
      if (!isObject(indexes)) continue;
      for (const [index, entry] of Object.entries(indexes)) {
        if (isObject(entry) && typeof entry.enabled === 'boolean') out[`${scope}.${valueType}.${index}`] = entry.enabled;
      }
    }
  }
  return out;
}

/**
 * Two JSON values, read typed, that are the same, key order aside: an int is not a float
 * (2 vs 2.0), and floats are the same f64 bits (-0.0 is not 0.0). `looseNumbers` compares
 * numbers by value only, for headers written before they were kept typed.
 */
export function sameJson(a: unknown, b: unknown, looseNumbers = false): boolean {
  if (looseNumbers && isNumeric(a) && isNumeric(b)) return Number(numeric(a)) === Number(numeric(b));
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a instanceof WholeFloat || b instanceof WholeFloat) return a instanceof WholeFloat && b instanceof WholeFloat && Object.is(a.value, b.value);
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index], looseNumbers));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a).filter((key) => a[key] !== undefined);
  if (keys.length !== Object.keys(b).filter((key) => b[key] !== undefined).length) return false;
  return keys.every((key) => sameJson(a[key], b[key], looseNumbers));
}

function isNumeric(value: unknown): value is number | bigint | WholeFloat {
  return typeof value === 'number' || typeof value === 'bigint' || value instanceof WholeFloat;
}

function numeric(value: number | bigint | WholeFloat): number | bigint {
  return value instanceof WholeFloat ? value.value : value;
}

export function describeEmbeddingFunction(ef: EmbeddingFunctionConfig | null): string {
  if (!ef) return 'none';
  if (ef.type !== 'known') return inQuotes(ef.type);
  // The name and the model come from the data (a backup, a server): shown, never raw.
  const config = isObject(ef.config) ? ef.config : {};
  const model = typeof config.model_name === 'string' ? ` (${shown(config.model_name)})` : typeof config.model === 'string' ? ` (${shown(config.model)})` : '';
  return `${ef.name === undefined ? '?' : shown(ef.name)}${model}`;
}
