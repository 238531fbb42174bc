/**
 * What a Chroma server can hold. `/api/v2/version` answers "1.0.0" on every 1.x server, so it
 * cannot tell them apart; the OpenAPI document each server serves describes its own request
 * shapes, and those grew with the releases (measured on bindings 1.0.1, 1.2.1 and 1.3.4):
 * - `schema` on create-collection since release 1.3 (bindings 1.1.x/1.2.x);
 * - array metadata values since release 1.5.0 (bindings 1.3.x);
 * - the embedding function type "unknown" on create since bindings 1.0.9 (1.0.1 answers 422
 *   "unknown variant `unknown`, expected `legacy` or `known`").
 * Metadata keys starting with "$" or "#", and the empty key, are refused (400 "Invalid
 * metadata") by bindings 1.0.9, 1.2.1 and 1.3.4 and taken by 1.0.1; the OpenAPI document does not
 * say so, but 1.0.9 is also the first to list `schema`, so the two go together here.
 */
import { withRetry } from '../util/retry.js';
import type { ChromaApi } from './api.js';

export interface ServerCapabilities {
  /** Create-collection takes a `schema` (per-key index switches, full-text settings). */
  schema: boolean;
  /** Record metadata may hold arrays of strings, ints, floats or bools. */
  arrays: boolean;
  /** Metadata keys starting with "$" or "#", and "", are refused (records and collections). */
  strictKeys: boolean;
  /** The embedding function types create-collection takes ("legacy", "known", "unknown"). */
  embeddingFunctionTypes: string[];
}

/** The OpenAPI document as far as we read it: component schemas by name. */
export type { OpenApiDoc, OpenApiNode } from './wire-types.js';
import type { OpenApiDoc, OpenApiNode } from './wire-types.js';

export interface ServerModel {
  capabilities: ServerCapabilities;
  /** Null when the server (or a proxy in front) does not serve /openapi.json. */
  openapi: OpenApiDoc | null;
  /** Why it is null: the request's error. */
  openapiError?: unknown;
}

/**
 * Without the document we assume what every 1.x server takes: a configuration, no arrays, no
 * "unknown" embedding function, keys without "$" or "#". Refusing up front beats a 4xx halfway
 * through an import.
 */
const OLDEST: ServerCapabilities = { schema: false, arrays: false, strictKeys: true, embeddingFunctionTypes: ['legacy', 'known'] };

export async function detectCapabilities(api: ChromaApi, options: { signal?: AbortSignal } = {}): Promise<ServerCapabilities> {
  return (await describeServer(api, options)).capabilities;
}

export async function describeServer(api: ChromaApi, options: { signal?: AbortSignal } = {}): Promise<ServerModel> {
  try {
    // A dropped connection must not pass for an old server: retried like every other read.
    const openapi = await withRetry(() => api.openapi(options), { signal: options.signal });
    return { capabilities: capabilitiesOf(openapi), openapi };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { capabilities: { ...OLDEST }, openapi: null, openapiError: error };
  }
}

export function capabilitiesOf(doc: OpenApiDoc): ServerCapabilities {
  const create = resolve(doc, doc.components?.schemas?.CreateCollectionPayload);
  const upsert = resolve(doc, doc.components?.schemas?.UpsertCollectionRecordsPayload);
  const metadata = upsert?.properties?.metadatas?.items;
  const schema = create?.properties?.schema !== undefined;
  return {
    schema,
    strictKeys: schema,
    embeddingFunctionTypes: embeddingFunctionTypes(doc),
    arrays: metadata !== undefined && variants(doc, metadata).some((map) => {
      const values = typeof map.additionalProperties === 'object' ? map.additionalProperties : undefined;
      return values !== undefined && variants(doc, values).some((value) => typeOf(value).includes('array'));
    }),
  };
}

/** The `type` values the EmbeddingFunctionConfiguration variants allow. */
function embeddingFunctionTypes(doc: OpenApiDoc): string[] {
  const config = doc.components?.schemas?.EmbeddingFunctionConfiguration;
  if (!config) return [...OLDEST.embeddingFunctionTypes];
  const types = new Set<string>();
  for (const variant of variants(doc, config)) {
    for (const part of [variant, ...(variant.allOf ?? []).map((member) => resolve(doc, member))]) {
      const type = part?.properties?.type;
      for (const value of type?.enum ?? []) if (typeof value === 'string') types.add(value);
    }
  }
  return types.size > 0 ? [...types] : [...OLDEST.embeddingFunctionTypes];
}

export function resolve(doc: OpenApiDoc, node: OpenApiNode | undefined): OpenApiNode | undefined {
  let current = node;
  for (let hops = 0; current?.$ref && hops < 20; hops++) {
    current = doc.components?.schemas?.[current.$ref.replace('#/components/schemas/', '')];
  }
  return current;
}

/** The alternatives a node allows, refs resolved, nulls left out. */
export function variants(doc: OpenApiDoc, node: OpenApiNode): OpenApiNode[] {
  const resolved = resolve(doc, node);
  if (!resolved) return [];
  const alternatives = resolved.oneOf ?? resolved.anyOf;
  if (alternatives) return alternatives.flatMap((alternative) => variants(doc, alternative)).filter((v) => !isNullOnly(v));
  return [resolved];
}

function typeOf(node: OpenApiNode): string[] {
  return node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
}

function isNullOnly(node: OpenApiNode): boolean {
  const types = typeOf(node);
  return types.length === 1 && types[0] === 'null';
}

