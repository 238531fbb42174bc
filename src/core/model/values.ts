/**
 * Chroma's metadata values, as the server keeps them (rust/types/src/metadata.rs: an untagged
 * enum decided by the JSON token). The one rule JavaScript hides: an int and a float are
 * different types there — `2` and `2.0` land in different indexes, and array `$contains` is
 * type-strict — while JSON.parse makes both the number 2, and rounds ints past 2^53.
 *
 * In memory, so every reader, writer and comparison agrees:
 * - int: a JS number that is an integer, or a bigint when it is beyond 2^53 (never otherwise);
 * - float: a JS number with a fraction, or a WholeFloat when its value is a whole number;
 * - bool, string: themselves; arrays of one of those types; sparse vectors as plain objects.
 */

/** A float whose value is whole (`2.0`, `1e21`): alone, the number would read as an int. */
export class WholeFloat {
  constructor(readonly value: number) {}
}

export type Scalar = string | number | bigint | boolean | WholeFloat;

/** Cloud only: a single node answers 501 for one. */
export interface SparseVector {
  '#type': 'sparse_vector';
  indices: number[];
  values: number[];
  tokens?: string[] | null;
}

export type MetadataValue = Scalar | Scalar[] | SparseVector | null;
export type Metadata = Record<string, MetadataValue>;

export type ValueType = 'bool' | 'int' | 'float' | 'string' | 'bool[]' | 'int[]' | 'float[]' | 'string[]' | 'sparse vector' | 'null';

export function isSparseVector(value: unknown): value is SparseVector {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { '#type'?: unknown })['#type'] === 'sparse_vector';
}

export function scalarType(value: unknown): 'bool' | 'int' | 'float' | 'string' | null {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    default:
      return value instanceof WholeFloat ? 'float' : null;
  }
}

/** The type Chroma would give the value; arrays take their first element's (empty: "int[]" is as good as any). */
export function valueType(value: MetadataValue): ValueType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `${scalarType(value[0]) ?? 'int'}[]` as ValueType;
  if (isSparseVector(value)) return 'sparse vector';
  return scalarType(value) ?? 'null';
}

/** The value as a double (ints past 2^53 rounded): for float32 comparisons only. */
export function numericValue(value: number | bigint | WholeFloat): number {
  return value instanceof WholeFloat ? value.value : Number(value);
}
