/**
 * From what a backup recorded about a collection to what a target can hold: one create request,
 * the facts the created collection must show, and what had to be left out, by name.
 *
 * - A server with schemas (Chroma ≥ 1.3) gets the source's schema; an older one, or a backup
 *   without a schema, gets a configuration. Never both (400 "Cannot set both collection config
 *   and schema simultaneously"), and legacy "hnsw:*" metadata travels as configuration.
 * - SPANN (Chroma Cloud's index) becomes HNSW with the same space and embedding function; its
 *   `ef_search` maps onto HNSW's, the rest has no HNSW meaning. A single node would otherwise
 *   keep only the space.
 * - Cloud-only parts (CMEK, enabled sparse indexes) and fields the target's OpenAPI document
 *   does not list are left out and named.
 */
import type { CollectionHeader, CollectionJson, Space } from '../model/record.js';
import type { CreateCollectionRequest } from '../chroma/api.js';
import type { ServerModel } from '../chroma/capabilities.js';
import { pruneUnknown } from './prune.js';
import { cloneTyped } from '../model/typed-json.js';
import {
  allVectorConfigs,
  asEmbeddingFunction,
  asSpace,
  isObject,
  LEGACY_UNCARRIED,
  pickHnsw,
  schemaSwitches,
  schemaVectorConfig,
  sourceIndexOf,
  withoutLegacyKeys,
  type EmbeddingFunctionConfig,
  type HnswParams,
} from './shape.js';

/** What a collection on the target must show after creation (and at verify). */
export interface CollectionFacts {
  /** Null: the backup does not say (and nobody chose). */
  space: Space | null;
  /** Null: the backup names none, so none is expected. */
  embeddingFunction: EmbeddingFunctionConfig | null;
  hnsw: HnswParams;
  /** Schema switches sent ("keys.#document.string.fts_index" → true); empty without a schema. */
  switches: Record<string, boolean>;
}

export interface LeftOut {
  /** The field as Chroma names it: "cmek", "spann.search_nprobe", "keys.sparse.sparse_vector.sparse_vector_index". */
  field: string;
  why: string;
}

export interface CollectionPlan {
  request: Omit<CreateCollectionRequest, 'name'>;
  /** Which of the two the request carries. */
  carries: 'schema' | 'configuration' | 'nothing';
  intended: CollectionFacts;
  leftOut: LeftOut[];
}

const CLOUD_ONLY = 'Chroma Cloud only; a single-node server cannot hold it';
const UNKNOWN_FIELD = 'this server version does not know the field';
const SPANN_ONLY = 'a SPANN setting (Chroma Cloud\'s index); the target indexes with HNSW';

/**
 * `space` is the user's answer when the backup says nothing. `cloud`: the target is Chroma Cloud,
 * which holds SPANN, CMEK and sparse indexes, so they are sent as they are.
 */
export function planCollection(header: CollectionHeader, server: ServerModel, options: { space?: Space | null; cloud?: boolean } = {}): CollectionPlan {
  const leftOut: LeftOut[] = [];
  const metadata = withoutLegacyKeys(header.metadata);
  for (const key of LEGACY_UNCARRIED) {
    if (header.metadata?.[key] !== undefined) leftOut.push({ field: key, why: 'bound to the machine that set it; the target chooses its own' });
  }
  const space = header.space ?? options.space ?? null;
  if (server.capabilities.schema && isObject(header.schema)) {
    return { ...schemaPlan(header.schema, server, space, leftOut, metadata, options.cloud), leftOut };
  }
  if (isObject(header.schema)) {
    leftOut.push({ field: 'schema', why: 'the target predates collection schemas (Chroma 1.3): per-key index switches and full-text settings stay at its defaults' });
  }
  const source = sourceIndexOf(header.configuration, header.schema, header.metadata);
  if (options.cloud && source.spann) {
    const spann: CollectionJson = { ...source.spann };
    if (space && !spann.space) spann.space = space;
    const configuration = prune(server, 'CollectionConfiguration', { spann, ...(source.embeddingFunction ? { embedding_function: source.embeddingFunction } : {}) }, leftOut);
    return {
      request: { metadata, configuration },
      carries: 'configuration',
      intended: { space: source.space ?? space, embeddingFunction: source.embeddingFunction, hnsw: {}, switches: {} },
      leftOut,
    };
  }
  const hnsw: CollectionJson = { ...pickHnsw(source.hnsw) };
  if (source.spann) {
    const mapped = pickHnsw(source.spann).ef_search;
    if (mapped !== undefined) hnsw.ef_search = mapped;
    leftOut.push(...spannLeftOut(source.spann));
  }
  const finalSpace = source.space ?? space;
  if (finalSpace) hnsw.space = finalSpace;
  let configuration: CollectionJson | null = null;
  if (Object.keys(hnsw).length > 0 || source.embeddingFunction) {
    configuration = {};
    if (Object.keys(hnsw).length > 0) configuration.hnsw = hnsw;
    if (source.embeddingFunction) configuration.embedding_function = source.embeddingFunction;
    configuration = prune(server, 'CollectionConfiguration', configuration, leftOut);
  }
  return {
    request: { metadata, configuration },
    carries: configuration ? 'configuration' : 'nothing',
    intended: {
      space: asSpace(isObject(configuration?.hnsw) ? configuration.hnsw.space : null) ?? finalSpace,
      embeddingFunction: asEmbeddingFunction(configuration?.embedding_function) ?? null,
      hnsw: pickHnsw(configuration?.hnsw),
      switches: {},
    },
    leftOut,
  };
}

/** A target with schemas gets the source's schema, less what a single node cannot hold. */
function schemaPlan(
  source: CollectionJson,
  model: ServerModel,
  chosen: Space | null,
  out: LeftOut[],
  metadata: CollectionPlan['request']['metadata'],
  cloud: boolean | undefined,
): Omit<CollectionPlan, 'leftOut'> {
  const schema = cloneTyped(source);
  if (cloud) {
    const pruned = prune(model, 'Schema', schema, out);
    const vector = schemaVectorConfig(pruned);
    return {
      request: { metadata, schema: pruned },
      carries: 'schema',
      intended: { space: asSpace(vector?.space) ?? chosen, embeddingFunction: asEmbeddingFunction(vector?.embedding_function), hnsw: pickHnsw(vector?.hnsw), switches: schemaSwitches(pruned) },
    };
  }
  if (schema.cmek !== undefined && schema.cmek !== null) out.push({ field: 'cmek', why: `customer-managed encryption key: ${CLOUD_ONLY}` });
  delete schema.cmek;
  const spannDropped = new Set<string>();
  for (const config of allVectorConfigs(schema)) {
    if (isObject(config.spann)) {
      const ef = pickHnsw(config.spann).ef_search;
      for (const item of spannLeftOut(config.spann)) spannDropped.add(item.field);
      delete config.spann;
      config.hnsw = ef === undefined ? {} : { ef_search: ef };
    }
    if (config.space === undefined && chosen) config.space = chosen;
  }
  for (const field of spannDropped) out.push({ field, why: SPANN_ONLY });
  disableSparse(schema, out);
  const pruned = prune(model, 'Schema', schema, out);
  const vector = schemaVectorConfig(pruned);
  return {
    request: { metadata, schema: pruned },
    carries: 'schema',
    intended: {
      space: asSpace(vector?.space) ?? chosen,
      embeddingFunction: asEmbeddingFunction(vector?.embedding_function),
      hnsw: pickHnsw(vector?.hnsw),
      switches: schemaSwitches(pruned),
    },
  };
}

function spannLeftOut(spann: CollectionJson): LeftOut[] {
  return Object.keys(spann)
    .filter((key) => key !== 'space' && key !== 'ef_search' && spann[key] !== null && spann[key] !== undefined)
    .map((key) => ({ field: `spann.${key}`, why: SPANN_ONLY }));
}

/** A single node answers 400 "Sparse vector indexing is not enabled in local" to an enabled one. */
function disableSparse(schema: CollectionJson, out: LeftOut[]): void {
  const scopes: Array<[string, unknown]> = [['defaults', schema.defaults]];
  if (isObject(schema.keys)) for (const [key, value] of Object.entries(schema.keys)) scopes.push([`keys.${key}`, value]);
  for (const [scope, valueTypes] of scopes) {
    if (!isObject(valueTypes) || !isObject(valueTypes.sparse_vector)) continue;
    const index = valueTypes.sparse_vector.sparse_vector_index;
    if (isObject(index) && index.enabled === true) {
      index.enabled = false;
      out.push({ field: `${scope}.sparse_vector.sparse_vector_index`, why: `an enabled sparse vector index: ${CLOUD_ONLY}` });
    }
  }
}

function prune(server: ServerModel, schemaName: string, value: CollectionJson, out: LeftOut[]): CollectionJson {
  if (!server.openapi) return value;
  const dropped: string[] = [];
  const pruned = pruneUnknown(server.openapi, schemaName, value, dropped) as CollectionJson;
  for (const field of dropped) out.push({ field: schemaName === 'Schema' ? field : `configuration.${field}`, why: UNKNOWN_FIELD });
  return pruned;
}

/** True when the backup does not say which distance space the collection used. */
export function spaceUnknown(header: CollectionHeader): boolean {
  return header.space === null && sourceIndexOf(header.configuration, header.schema, header.metadata).space === null;
}

