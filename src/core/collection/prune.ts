/**
 * Drops the fields a server does not know, by its own OpenAPI document. Chroma's config structs
 * are `deny_unknown_fields`: one field from a newer release (`fts_index.config.algorithm`,
 * `spann.quantize`) makes the whole create request a 400. Pruning by the target's document
 * keeps everything else and names what was left out.
 */
import { resolve, variants, type OpenApiDoc, type OpenApiNode } from '../chroma/capabilities.js';
import { isObject } from './shape.js';

export function pruneUnknown(doc: OpenApiDoc, schemaName: string, value: unknown, dropped: string[]): unknown {
  const node = doc.components?.schemas?.[schemaName];
  return node ? prune(doc, node, value, '', dropped) : value;
}

function prune(doc: OpenApiDoc, node: OpenApiNode, value: unknown, path: string, dropped: string[]): unknown {
  // An embedding function's config is free-form JSON to the server: carried as it is.
  if (!isObject(value) || path.endsWith('embedding_function')) return value;
  const shape = objectShape(doc, node);
  if (!shape) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const known = shape.properties[key] ?? (typeof shape.additional === 'object' ? shape.additional : undefined);
    if (known) out[key] = prune(doc, known, item, at, dropped);
    else if (shape.closed) dropped.push(at);
    else out[key] = item;
  }
  return out;
}

interface ObjectShape {
  properties: Record<string, OpenApiNode>;
  additional: OpenApiNode | undefined;
  /** Fields beyond `properties` are refused (or, for a lenient struct, ignored: not held). */
  closed: boolean;
}

function objectShape(doc: OpenApiDoc, node: OpenApiNode): ObjectShape | null {
  const candidates = variants(doc, node).flatMap((variant) => (variant.allOf ? variant.allOf.map((part) => resolve(doc, part) ?? {}) : [variant]));
  const objects = candidates.filter((candidate) => candidate.properties || candidate.additionalProperties !== undefined);
  if (objects.length === 0) return null;
  const properties: Record<string, OpenApiNode> = {};
  let additional: OpenApiNode | undefined;
  let closed = false;
  for (const object of objects) {
    Object.assign(properties, object.properties ?? {});
    if (typeof object.additionalProperties === 'object') additional = object.additionalProperties;
    if (object.additionalProperties === false || (object.properties && object.additionalProperties === undefined)) closed = true;
  }
  return { properties, additional, closed: closed && additional === undefined };
}
