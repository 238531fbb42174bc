/**
 * Compares metadata type for type and bit for bit: a float that came back an int, a float that
 * lost precision (3.25 → 3.2500001), or an int past 2^53 that came back rounded, is a
 * difference, named with its key. What a single node cannot hold (sparse
 * vectors, which import leaves out only when told to; empty lists, which it drops) is reported
 * apart, never as equal and never as a loss.
 */
import { inQuotes, shown } from '../util/format.js';
import { floatText } from './typed-json.js';
import { isSparseVector, numericValue, scalarType, WholeFloat, type Metadata, type MetadataValue, type Scalar } from './values.js';

export interface MetadataComparison {
  /** "score: the source has float 2.0, the target int 2", one per differing key. */
  differences: string[];
  /** Keys whose sparse vector the target does not hold. */
  sparseNotCarried: string[];
}

/**
 * The two sides in the words: the one holding the record now (`stored`, "the target") and the
 * one it is compared with (`expected`, "the source" or "the backup"). Each value is said with the
 * side that holds it, so a value the source changed since a copy reads the right way round.
 */
export interface ComparedSides {
  stored: string;
  expected: string;
}

export const TARGET_AGAINST_SOURCE: ComparedSides = { stored: 'the target', expected: 'the source' };

/** Keys Chroma adds itself ("chroma:document" on full-text collections) are not the record's. */
const OWN_KEY = /^chroma:/;

export function compareMetadata(stored: Metadata | null, expected: Metadata | null, sides: ComparedSides = TARGET_AGAINST_SOURCE): MetadataComparison {
  const result: MetadataComparison = { differences: [], sparseNotCarried: [] };
  const have = stored ?? {};
  const want = expected ?? {};
  for (const key of Object.keys(want)) {
    if (OWN_KEY.test(key)) continue;
    const wanted = want[key]!;
    const got = Object.hasOwn(have, key) ? have[key]! : undefined;
    if (got === undefined) {
      if (isSparseVector(wanted)) result.sparseNotCarried.push(key);
      // A single node drops an empty list as if the key were never set.
      else if (!(Array.isArray(wanted) && wanted.length === 0)) result.differences.push(`${shown(key)}: ${sides.expected} has ${describeValue(wanted)}, ${sides.stored} no such key`);
      continue;
    }
    if (!sameValue(got, wanted)) result.differences.push(`${shown(key)}: ${sides.expected} has ${describeValue(wanted)}, ${sides.stored} ${describeValue(got)}`);
  }
  for (const key of Object.keys(have)) {
    if (!OWN_KEY.test(key) && !Object.hasOwn(want, key)) result.differences.push(`${shown(key)}: ${sides.stored} has ${describeValue(have[key]!)}, ${sides.expected} no such key`);
  }
  return result;
}

export function sameValue(a: MetadataValue, b: MetadataValue): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && sameList(a, b);
  if (isSparseVector(a) || isSparseVector(b)) return isSparseVector(a) && isSparseVector(b) && JSON.stringify(a) === JSON.stringify(b);
  return sameScalar(a, b);
}

function sameScalar(a: Scalar, b: Scalar, asFloats = false): boolean {
  const type = asFloats ? numberKind(a) : scalarType(a);
  if (type !== (asFloats ? numberKind(b) : scalarType(b))) return false;
  if (type === 'int') return typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a as number) === BigInt(b as number) : a === b;
  if (type === 'float' || type === 'number') {
    // Chroma keeps metadata floats as f64: the same bits, or a difference (-0.0 is not 0.0).
    return Object.is(numericValue(a as number | WholeFloat), numericValue(b as number | WholeFloat));
  }
  return a === b;
}

/** A list holding a float is a float list: the server reads [1, 2.5] as [1.0, 2.5]. */
function sameList(a: Scalar[], b: Scalar[]): boolean {
  if (a.length !== b.length) return false;
  const floats = listType(a) === 'float[]';
  if (floats !== (listType(b) === 'float[]')) return false;
  return a.every((item, i) => sameScalar(item, b[i]!, floats));
}

function listType(items: Scalar[]): string {
  return items.some((item) => scalarType(item) === 'float') ? 'float[]' : `${scalarType(items[0]) ?? 'empty'}[]`;
}

function numberKind(value: Scalar): string | null {
  const type = scalarType(value);
  return type === 'int' || type === 'float' ? 'number' : type;
}

/** "float 2.0", "int 9007199254740993", "string "a"", "int[] [1, 2]". */
export function describeValue(value: MetadataValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `${listType(value)} [${value.map(scalarText).join(', ')}]`;
  if (isSparseVector(value)) return `sparse vector (${value.indices.length} entries)`;
  return `${scalarType(value)} ${scalarText(value)}`;
}

function scalarText(value: Scalar): string {
  if (typeof value === 'string') return inQuotes(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value instanceof WholeFloat) return floatText(value.value);
  return String(value);
}
