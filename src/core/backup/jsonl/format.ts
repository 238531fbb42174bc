/**
 * Encodes the lines of our backup format ("chroma-migrate-backup", version 2). Key order is
 * fixed: "type" first, because readers skip record lines by their first bytes, and "metadata"
 * last, because a reader that finds a number JSON.parse would mistype re-reads just that tail.
 *
 * Version 2 writes metadata numbers as typed (values/json.ts): a float always with a fraction
 * or exponent (2.0), an int past 2^53 exactly. Version 1 went through JSON.parse and
 * JSON.stringify, so its whole floats read as ints and its big ints are rounded.
 */
import { stringifyTyped } from '../../model/typed-json.js';
import { encodeEmbedding } from '../../model/float32.js';
import { FORMAT_NAME, FORMAT_VERSION } from '../schemas.js';
import type { BackupRecord, CollectionHeader } from '../../model/record.js';

export function headerLine(source: Record<string, unknown>, createdAt = new Date()): string {
  return JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION, created_at: createdAt.toISOString(), source: withoutSecrets(source) }) + '\n';
}

/**
 * The header as a backup keeps it: configuration and schema without secrets. A copy hands this
 * same header to its import, so the target and a later `verify` of the file see one collection.
 */
export function storedHeader(h: CollectionHeader): CollectionHeader {
  return {
    ...h,
    configuration: h.configuration ? (withoutSecrets(h.configuration) as CollectionHeader['configuration']) : null,
    schema: h.schema ? (withoutSecrets(h.schema) as CollectionHeader['schema']) : null,
  };
}

export function collectionLine(header: CollectionHeader): string {
  const h = storedHeader(header);
  // Typed: collection metadata keeps 2.0 a float and big ints exact, as record metadata does.
  return (
    stringifyTyped({
      type: 'collection',
      name: h.name,
      metadata: h.metadata,
      space: h.space,
      count: h.count,
      dimension: h.dimension,
      configuration: h.configuration ?? null,
      schema: h.schema ?? null,
    }) + '\n'
  );
}

export function recordLine(r: BackupRecord): string {
  // Absent fields (the schema's "optional", as in Python exports) are written as null: every
  // record line names all five, as the reader requires. Built as one template: this runs once
  // per exported record, and base64 never needs escaping.
  const embedding = r.embedding == null ? 'null' : `"${encodeEmbedding(r.embedding)}"`;
  return `{"type":"record","id":${JSON.stringify(r.id)},"document":${JSON.stringify(r.document ?? null)},"uri":${JSON.stringify(r.uri ?? null)},"embedding":${embedding},"metadata":${stringifyTyped(r.metadata ?? null)}}\n`;
}

export function endLine(name: string, count: number): string {
  return JSON.stringify({ type: 'end', name, count }) + '\n';
}

export function endFileLine(collections: number): string {
  return JSON.stringify({ type: 'end-file', collections }) + '\n';
}

/** Backups get copied around; a key or token must never land in one, even by mistake. */
const SECRET_KEY = /api[-_]?key|token|secret|passw|credential|authoriz|cookie/i;

/**
 * Chroma's embedding function configs name the variable that holds a key (`api_key_env_var:
 * "OPENAI_API_KEY"`), never the key: the app needs that name after the move, so it stays. It
 * stays only while it looks like a variable name: words of upper case and digits joined by "_"
 * (OPENAI_API_KEY, HF_TOKEN), or one short word (VOYAGE). A real key pasted there by mistake has
 * lower case or dashes ("sk-proj-…", base64), or is one long run of upper case and digits (keys
 * some services issue): either is dropped like any other secret-named key.
 */
const ENV_VAR_KEY = /_env_var$/i;
const ENV_VAR_NAME = /^[A-Z][A-Z0-9]{0,23}(?:_{1,2}[A-Z0-9]{1,24}){0,7}$/;
const ONE_WORD = /^[A-Z][A-Z0-9]{0,15}$/;

function keepsSecretNamedKey(key: string, value: unknown): boolean {
  if (!ENV_VAR_KEY.test(key) || typeof value !== 'string' || value.length > 64 || !ENV_VAR_NAME.test(value)) return false;
  // Words have few digits (OPENAI_API_KEY_2); a key's runs of letters and digits have many.
  if (value.split('_').some((word) => (word.match(/[0-9]/g)?.length ?? 0) > 4)) return false;
  return value.includes('_') || ONE_WORD.test(value);
}

export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!SECRET_KEY.test(k) || keepsSecretNamedKey(k, v)) out[k] = withoutSecrets(v);
  return out;
}
