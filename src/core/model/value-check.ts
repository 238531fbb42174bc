/**
 * What a metadata value may be, checked without zod on the hot path: every backup record and
 * every page from a server goes through here. Messages are written for people; they end up in
 * BAD_BACKUP errors after the value's path ("metadata.tags ...").
 */
import { isSparseVector, scalarType, WholeFloat } from './values.js';

const VALUE_RULE = 'must be a string, number, boolean, a list of one of those, a sparse vector, or null';

/** Chroma's ints are i64; the server would read a larger int token as a float, without a word. */
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const I64_RULE = 'is an int beyond the range Chroma stores (-9223372036854775808 to 9223372036854775807)';

/** Null when Chroma can hold the value, else what is wrong with it. */
export function valueProblem(value: unknown): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'bigint') return value >= I64_MIN && value <= I64_MAX ? null : I64_RULE;
  if (typeof value === 'number') return Number.isFinite(value) ? null : VALUE_RULE;
  if (value instanceof WholeFloat) return Number.isFinite(value.value) ? null : VALUE_RULE;
  if (Array.isArray(value)) return arrayProblem(value);
  if (isSparseVector(value)) return sparseProblem(value);
  return VALUE_RULE;
}

function arrayProblem(items: unknown[]): string | null {
  let kind: string | null = null;
  for (const item of items) {
    if (Array.isArray(item)) return 'must be a list of plain values (Chroma refuses nested lists)';
    if (typeof item === 'bigint' && valueProblem(item) !== null) return `holds an int beyond the range Chroma stores (${String(item)})`;
    if (valueProblem(item) !== null || item === null || isSparseVector(item)) return 'must be a list of strings, numbers or booleans';
    // Ints and floats may mix: the server reads such a list as floats.
    const type = scalarType(item) === 'int' || scalarType(item) === 'float' ? 'number' : scalarType(item);
    if (kind !== null && type !== kind) return 'must be a list of one type (Chroma refuses mixed lists)';
    kind = type;
  }
  return null;
}

function sparseProblem(value: object): string | null {
  const { indices, values, tokens } = value as { indices?: unknown; values?: unknown; tokens?: unknown };
  if (!Array.isArray(indices) || !indices.every((i) => Number.isInteger(i) && (i as number) >= 0)) return 'is a sparse vector whose "indices" are not a list of whole numbers';
  if (!Array.isArray(values) || !values.every((v) => (typeof v === 'number' && Number.isFinite(v)) || v instanceof WholeFloat)) {
    return 'is a sparse vector whose "values" are not a list of numbers';
  }
  if (values.length !== indices.length) return 'is a sparse vector with a different number of indices and values';
  if (tokens != null && (!Array.isArray(tokens) || tokens.length !== indices.length || !tokens.every((t) => typeof t === 'string'))) {
    return 'is a sparse vector whose "tokens" are not one string per index';
  }
  return null;
}

export interface MetadataIssue {
  /** The key whose value is wrong; null when the metadata itself is not an object. */
  key: string | null;
  problem: string;
}

/** Null for null or a plain object of valid values; else the first problem and its key. */
export function metadataIssue(metadata: unknown): MetadataIssue | null {
  if (metadata === null) return null;
  // A null prototype (Object.create(null)) is as plain as {}; a class instance is not.
  const prototype: unknown = typeof metadata === 'object' ? Object.getPrototypeOf(metadata) : undefined;
  if (Array.isArray(metadata) || (prototype !== Object.prototype && prototype !== null)) return { key: null, problem: METADATA_RULE };
  if (Object.getOwnPropertySymbols(metadata).length > 0) return { key: null, problem: METADATA_RULE };
  for (const key in metadata) {
    const problem = valueProblem((metadata as Record<string, unknown>)[key]);
    if (problem !== null) return { key, problem };
  }
  return null;
}

const METADATA_RULE = 'must be an object of metadata values, or null';

