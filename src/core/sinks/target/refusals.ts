/**
 * What the target would refuse, known before anything is sent: a record's id, keys and text
 * against the target's rules, and a collection's creation (its name, metadata keys and the
 * embedding function type). Measured on real servers (1.0.1, 1.0.9, 1.2.1, 1.5.9):
 * - an empty id: 400 "Empty ID" on every 1.x;
 * - a lone UTF-16 surrogate anywhere (id, document, key, value, uri): 400 "Failed to parse the
 *   request body as JSON … lone leading surrogate" on every 1.x, and the whole batch with it;
 * - metadata keys starting with "$" or "#", and the empty key: 400 "Invalid metadata at index N"
 *   from 1.0.9 on (capabilities.ts), taken by 1.0.1;
 * - a request body above ~40 MB: 413 (see fit-requests.ts);
 * - `{"type":"unknown"}` as the embedding function: 422 on 1.0.1.
 * Keys starting with "chroma:" are taken by 1.5.9 as ordinary keys (measured), so they pass.
 */
import type { BackupRecord } from '../../model/record.js';
import type { ServerCapabilities } from '../../chroma/capabilities.js';
import type { CollectionJson } from '../../model/record.js';
import type { Metadata } from '../../model/values.js';
import { count, inQuotes } from '../../util/format.js';
import { requestBytes } from './fit-requests.js';

/** A request body no single-node Chroma takes (measured: 40 MB refused, 36 MB taken). */
const SINGLE_NODE_BODY_BYTES = 40 * 1024 * 1024;
/** Chroma Cloud's documented quotas (cloud/quotas-limits). */
const CLOUD = { documentBytes: 16 * 1024, idBytes: 128, keys: 32 };

export interface TargetRules {
  strictKeys: boolean;
  embeddingFunctionTypes: string[];
  cloud: boolean;
}

export function targetRules(capabilities: ServerCapabilities, cloud: boolean): TargetRules {
  return { strictKeys: capabilities.strictKeys, embeddingFunctionTypes: capabilities.embeddingFunctionTypes, cloud };
}

/** One reason a record (or a collection) is refused; `key` names the metadata key when there is one. */
export interface Problem {
  key?: string;
  why: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INVALID_TEXT = 'holds invalid UTF-16 (a lone surrogate), which no Chroma server parses';

function keyProblem(key: string, rules: TargetRules): string | null {
  if (LONE_SURROGATE.test(key)) return `the key ${INVALID_TEXT}`;
  if (!rules.strictKeys) return null;
  if (key === '') return 'an empty metadata key, refused by Chroma 1.0.9 and newer';
  if (key.startsWith('$') || key.startsWith('#')) return `metadata keys starting with "${key[0]}" are refused by Chroma 1.0.9 and newer`;
  return null;
}

function metadataProblems(metadata: Metadata | null, rules: TargetRules): Problem[] {
  if (!metadata) return [];
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    const why = keyProblem(key, rules);
    if (why) problems.push({ key, why });
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((text) => typeof text === 'string' && LONE_SURROGATE.test(text))) problems.push({ key, why: `the value ${INVALID_TEXT}` });
  }
  if (rules.cloud && Object.keys(metadata).length > CLOUD.keys) problems.push({ why: `${Object.keys(metadata).length} metadata keys; Chroma Cloud takes at most ${CLOUD.keys}` });
  return problems;
}

/** Why the target would refuse this record; empty when it would take it. */
export function recordProblems(record: BackupRecord, rules: TargetRules): Problem[] {
  const problems: Problem[] = [];
  if (record.id === '') problems.push({ why: 'an empty id, which Chroma refuses' });
  if (LONE_SURROGATE.test(record.id)) problems.push({ why: `the id ${INVALID_TEXT}` });
  if (record.document !== null && LONE_SURROGATE.test(record.document)) problems.push({ why: `the document ${INVALID_TEXT}` });
  if (record.uri !== null && LONE_SURROGATE.test(record.uri)) problems.push({ why: `the uri ${INVALID_TEXT}` });
  problems.push(...metadataProblems(record.metadata, rules));
  if (rules.cloud) {
    if (Buffer.byteLength(record.id, 'utf8') > CLOUD.idBytes) problems.push({ why: `an id longer than Chroma Cloud's ${CLOUD.idBytes} bytes` });
    if (record.document !== null && Buffer.byteLength(record.document, 'utf8') > CLOUD.documentBytes) problems.push({ why: `a document larger than Chroma Cloud's 16 KiB` });
  } else {
    const bytes = requestBytes(record);
    if (bytes > SINGLE_NODE_BODY_BYTES) problems.push({ why: `about ${(bytes / 1024 / 1024).toFixed(1)} MB as a request; a single Chroma server refuses requests above about 36–40 MB (413 Payload too large)` });
  }
  return problems;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$/;
export const COLLECTION_NAME_RULE = 'Chroma takes 3–512 characters from a-z, A-Z, 0-9, ".", "_" and "-", starting and ending with a letter or digit';

/** Whether Chroma would take `name` for a collection. */
export function isCollectionName(name: string): boolean {
  return NAME.test(name);
}

/** Why creating the collection would be refused: its name, its metadata keys, its embedding function's type. */
export function creationProblems(name: string, request: { metadata: Metadata | null; configuration?: CollectionJson | null; schema?: CollectionJson | null }, rules: TargetRules): Problem[] {
  const problems: Problem[] = [];
  if (!NAME.test(name)) problems.push({ why: `the name ${inQuotes(name)}: ${COLLECTION_NAME_RULE}` });
  for (const problem of metadataProblems(request.metadata, rules)) problems.push({ ...problem, why: `collection metadata: ${problem.why}` });
  for (const type of embeddingFunctionTypesIn(request.configuration ?? request.schema)) {
    if (!rules.embeddingFunctionTypes.includes(type)) {
      problems.push({
        key: 'embedding_function',
        why: `the embedding function type ${inQuotes(type)} is unknown to this server (it takes ${rules.embeddingFunctionTypes.map(inQuotes).join(', ')}; "unknown" needs Chroma 1.0.9 or newer)`,
      });
    }
  }
  return problems;
}

function embeddingFunctionTypesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) embeddingFunctionTypesIn(item, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'embedding_function' && inner !== null && typeof inner === 'object' && typeof (inner as { type?: unknown }).type === 'string') {
        found.add((inner as { type: string }).type);
      } else embeddingFunctionTypesIn(inner, found);
    }
  }
  return found;
}

/** "id "x": metadata key "$a" — why" for the refusal's words. */
export function describeProblems(id: string, problems: Problem[]): string {
  return `${inQuotes(id)}: ${problems.map((problem) => (problem.key !== undefined ? `key ${inQuotes(problem.key)} — ${problem.why}` : problem.why)).join('; ')}`;
}

export function refusedCount(n: number): string {
  return n === 1 ? '1 record' : `${count(n)} records`;
}
