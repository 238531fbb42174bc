/**
 * Embeddings travel in our format as base64 of little-endian float32 bytes: Chroma stores
 * float32, so this is lossless for what the server holds and ~3x smaller than decimal JSON.
 */

import type { Embedding } from './record.js';

/**
 * Decoding goes through one reusable, 4-byte-aligned scratch buffer so a Float32Array can view
 * the bytes directly (little-endian hosts: x86, ARM); per-value readFloatLE was the slowest
 * part of reading our format.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
let scratch = Buffer.allocUnsafeSlow(16 * 1024);

/** The same bytes go to the server in an upsert ("supports_base64_encoding" in its pre-flight). */
export function encodeEmbedding(embedding: Embedding): string {
  if (LITTLE_ENDIAN) {
    const floats = embedding instanceof Float32Array ? embedding : Float32Array.from(embedding);
    return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
  }
  const bytes = Buffer.allocUnsafe(embedding.length * 4);
  for (let i = 0; i < embedding.length; i++) bytes.writeFloatLE(embedding[i]!, i * 4);
  return bytes.toString('base64');
}

/**
 * Returns the values as float32 (half the memory of a number array, and an upsert sends their
 * bytes as they are), or a sentence saying why the text is not a float32 vector.
 */
export function decodeEmbedding(text: string): Float32Array | string {
  const count = decodeToScratch(text);
  if (typeof count === 'string') return count;
  if (LITTLE_ENDIAN) return new Float32Array(scratch.buffer, scratch.byteOffset, count).slice();
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = scratch.readFloatLE(i * 4);
  return out;
}

/**
 * The checks of decodeEmbedding without building the numbers: how many there are, or why the
 * text is not a float32 vector. Inspecting a backup needs only that (the numbers cost an array
 * per record, and the garbage collector's time to drop it).
 */
export function embeddingLength(text: string): number | string {
  return decodeToScratch(text);
}

/** Decodes into the scratch buffer and checks it; returns the number of values or why not. */
function decodeToScratch(text: string): number | string {
  if (text.length % 4 !== 0) return 'the embedding is not valid base64';
  const most = (text.length / 4) * 3;
  if (scratch.length < most) scratch = Buffer.allocUnsafeSlow(most);
  const length = scratch.write(text, 'base64');
  // Node's decoder silently skips bad characters; re-encoding must give the text back.
  if (scratch.toString('base64', 0, length) !== text) return 'the embedding is not valid base64';
  if (length % 4 !== 0) return `the embedding is ${length} bytes, not a whole number of float32 values (4 bytes each)`;
  if (length === 0) return 'the embedding is empty';
  const count = length / 4;
  const view = LITTLE_ENDIAN ? new Float32Array(scratch.buffer, scratch.byteOffset, count) : null;
  for (let i = 0; i < count; i++) {
    const value = view ? view[i]! : scratch.readFloatLE(i * 4);
    if (!Number.isFinite(value)) return `the embedding holds ${value} at position ${i}, which Chroma does not accept`;
  }
  return count;
}

/**
 * Whether the first `length` values of `stored` are the float32 values of `expected`, each the
 * same float32 or at most `steps` float32 steps from it (0: bit for bit, but for -0 and +0, which
 * compare equal as numbers do). A value that is not a number (NaN) equals nothing.
 */
export function sameFloat32s(stored: ArrayLike<number>, length: number, expected: ArrayLike<number>, steps: number): boolean {
  if (length !== expected.length) return false;
  for (let i = 0; i < length; i++) {
    const value = Math.fround(stored[i]!);
    const want = Math.fround(expected[i]!);
    if (value !== want && !(steps > 0 && float32Distance(value, want) <= steps)) return false;
  }
  return true;
}

const F32 = new Float32Array(1);
const BITS = new Int32Array(F32.buffer);

/** How many float32 values lie between a and b (both float32): their bits in one ordered line. */
function float32Distance(a: number, b: number): number {
  // NaN has no place on the line: it is no number of steps from anything.
  if (a !== a || b !== b) return Number.POSITIVE_INFINITY;
  return Math.abs(orderedBits(a) - orderedBits(b));
}

function orderedBits(value: number): number {
  F32[0] = value;
  const bits = BITS[0]!;
  // Negative floats count down from zero: mirror them so the line runs -max … -0 = +0 … +max.
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}
