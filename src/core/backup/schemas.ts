/**
 * zod schemas for everything a backup can contain. Messages are written for people: they end
 * up in BAD_BACKUP errors next to the line or byte where the problem is.
 */
// `* as z`, not `{ z }`: see ../zod-locale.ts.
import * as z from 'zod/mini';
import '../util/zod-locale.js';
import { metadataIssue } from '../model/value-check.js';
import type { BackupRecord, Metadata } from '../model/record.js';

/**
 * Which values Chroma holds is values/check.ts's to say; the schema only places the problem.
 * The object passes through as parsed: z.record would copy it key by key, and assigning a
 * "__proto__" key sets the copy's prototype — the key would be lost without a word.
 */
export const metadataSchema = z.custom<Metadata | null>().check((payload) => {
  const issue = metadataIssue(payload.value);
  if (issue === null) return;
  const input = issue.key === null ? payload.value : (payload.value as Record<string, unknown>)[issue.key];
  payload.issues.push({ code: 'custom', message: issue.problem, input, path: issue.key === null ? [] : [issue.key] });
});

export const idSchema = z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' }));
export const documentSchema = z.nullable(z.string({ error: 'must be a string or null' }));
export const uriSchema = z.nullable(z.string({ error: 'must be a string or null' }));
// z.number() rejects NaN and ±Infinity, which Chroma cannot store either.
const embeddingRules = z.nullable(
  z
    .array(z.number({ error: 'must be a finite number' }), { error: 'must be a list of numbers or null' })
    .check(z.minLength(1, { error: 'must not be an empty list' })),
);

/**
 * An embedding of a Python export: a non-empty list of finite numbers, or null. The list passes
 * through as parsed: z.array would copy it (3 KB per 384-d record, per record read), and walking
 * 384 numbers through zod is slower than the plain loop; embeddingRules only explains a bad one.
 */
export const embeddingSchema = z.custom<number[] | null>().check((payload) => {
  if (payload.value === null || isNumberList(payload.value)) return;
  const result = embeddingRules.safeParse(payload.value);
  for (const issue of result.error?.issues ?? []) {
    payload.issues.push({ code: 'custom', message: issue.message, input: payload.value, path: [...issue.path] });
  }
  if (result.success) {
    // Finite numbers, but one is past float32's largest (~3.4e38): stored it would be Infinity.
    const values = payload.value as number[];
    const at = values.findIndex((n) => !Number.isFinite(Math.fround(n)));
    payload.issues.push({ code: 'custom', message: `is out of range: ${values[at]} does not fit in float32, what Chroma stores`, input: payload.value, path: [at] });
  }
});

function isNumberList(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const n: unknown = value[i];
    if (typeof n !== 'number' || !Number.isFinite(Math.fround(n))) return false;
  }
  return true;
}

/**
 * A checked embedding as float32, what Chroma stores and what an upsert sends (base64 of these
 * bytes): the same values reach the target, and a record held while its batch is in flight
 * keeps 1.5 KB off the V8 heap instead of a 3 KB number array that the garbage collector
 * promotes and keeps until a full collection (the peak RSS of importing a column-wise file).
 */
export function toFloat32(embedding: readonly number[] | null): Float32Array | null {
  return embedding === null ? null : new Float32Array(embedding);
}

/** One record of a row-wise Python export; absent fields mean null. */
export const rowSchema = z.object(
  {
    id: idSchema,
    document: z.optional(documentSchema),
    metadata: z.optional(metadataSchema),
    embedding: z.optional(embeddingSchema),
    uri: z.optional(uriSchema),
  },
  { error: 'must be an object with an "id"' },
);

export function toRecord(row: z.infer<typeof rowSchema>): BackupRecord {
  return {
    id: row.id,
    document: row.document ?? null,
    metadata: row.metadata ?? null,
    embedding: toFloat32(row.embedding ?? null),
    uri: row.uri ?? null,
  };
}

export const spaceSchema = z.nullable(z.enum(['l2', 'cosine', 'ip'], { error: 'must be "l2", "cosine", "ip" or null' }));

export const FORMAT_NAME = 'chroma-migrate-backup';
export const FORMAT_VERSION = 4;
/**
 * Versions this chroma-migrate reads: 1 could not tell a whole float from an int in records; 2
 * could, but wrote the collection's configuration and schema as JSON.parse had read them; 3 held
 * one database, so a collection's name alone named it; 4 may hold several, each collection line
 * naming its database (an older reader would merge same-named collections of two databases).
 */
export const READABLE_VERSIONS: readonly number[] = [1, 2, 3, 4];

export const headerLineSchema = z.object({
  format: z.literal(FORMAT_NAME),
  version: z.number().check(z.int()),
  created_at: z.string({ error: 'must be a date string' }),
  source: z.optional(z.record(z.string(), z.unknown())),
});

export const collectionLineSchema = z.object({
  type: z.literal('collection'),
  name: z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' })),
  // Format 4: the source database, in a file that holds several.
  database: z.optional(z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' }))),
  metadata: metadataSchema,
  space: spaceSchema,
  count: z.number({ error: 'must be a number' }).check(z.int(), z.minimum(0)),
  dimension: z.nullable(z.number({ error: 'must be a number or null' }).check(z.int(), z.minimum(1))),
  // Format 2 added them; format-1 files have neither.
  configuration: z.optional(z.nullable(z.record(z.string(), z.unknown(), { error: 'must be an object or null' }))),
  schema: z.optional(z.nullable(z.record(z.string(), z.unknown(), { error: 'must be an object or null' }))),
});

export const recordLineSchema = z.object({
  type: z.literal('record'),
  id: idSchema,
  document: documentSchema,
  metadata: metadataSchema,
  uri: uriSchema,
  embedding: z.nullable(z.string({ error: 'must be a base64 string or null' })),
});

export const endLineSchema = z.object({
  type: z.literal('end'),
  name: z.string({ error: 'must be a string' }),
  count: z.number({ error: 'must be a number' }).check(z.int(), z.minimum(0)),
  /** The source's count changed during the export: the collection line's count is the one at its start. */
  source_changed: z.optional(z.boolean()),
});

export const endFileLineSchema = z.object({
  type: z.literal('end-file'),
  collections: z.number({ error: 'must be a number' }).check(z.int(), z.minimum(0)),
});

/** "metadata.client must be a string, number, boolean or null" — the first problem only. */
export function explainIssues(error: z.core.$ZodError, data: unknown, prefix = ''): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'it is not valid';
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
  const where = prefix && path ? `${prefix}.${path}` : prefix || path;
  // Our messages say what a value must be; for a key that is simply absent, say that instead.
  const message = issue.path.length > 0 && valueAt(data, issue.path) === undefined ? 'is missing' : issue.message;
  return where ? `${where} ${message}` : message;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
