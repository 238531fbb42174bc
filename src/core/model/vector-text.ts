/**
 * The decimal text a server gave for a float32 vector, kept beside the vector it was parsed into.
 *
 * Why: a copy's verify reads each vector back from the target and must show it holds the value
 * read from the source. Parsing ~4.4 KB of digits per 384-d vector again cost as much as parsing
 * the source page; comparing the read-back's text with the source's costs a fraction of that.
 * Equal text is the equal value (both are read by the same exact parser), so a comparison that
 * finds the same bytes is as exact as one of the numbers.
 *
 * Held by the vector itself, under a symbol no JSON or caller can name: a vector replaced on the
 * way (or built from a file, not a server's answer) simply has none. Not a WeakMap: its entries
 * made every scavenge walk them, and a page's parse cost up to twice as much (measured).
 *
 * The bytes live in chunks that are used again once every text in them is released (the verify
 * has compared those records): a fresh buffer per page cost more in allocation and page faults
 * (~18 ms per 1,000 records in a profiled copy) than the comparison saved. A text never released
 * (a record the verify never reached) leaves its chunk to the garbage collector, never to reuse.
 */

/** Bytes per chunk: ~230 vectors of 384-d. */
const CHUNK_BYTES = 1 << 20;
/** Released chunks kept for reuse; the rest go to the garbage collector. */
const SPARE_CHUNKS = 4;
/**
 * At most this many bytes of text held at once (chunks in use, spare, or not yet collected): past
 * it a vector keeps no text and its read-back is parsed as before. A copy of 20k × 384-d held
 * 8,000 records and more between the source's page and the verify's read-back, ~35 MB of text
 * (peak RSS +35 MB, measured): the budget bounds that at the cost of fewer vectors compared
 * as bytes (~40% of them in that copy).
 */
const BUDGET_BYTES = 16 * CHUNK_BYTES;

class Chunk {
  readonly bytes: Buffer;
  used = 0;
  /** Texts in it not yet released. */
  live = 0;

  constructor(size: number) {
    this.bytes = Buffer.allocUnsafeSlow(size);
  }
}

/** A vector's text: `bytes[start, end)`, from its "[" to its "]". */
export interface VectorText {
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;
}

interface KeptText extends VectorText {
  readonly chunk: Chunk;
}

const TEXT = Symbol('vector text');

interface WithText {
  [TEXT]?: KeptText;
}

let current: Chunk | null = null;
const spare: Chunk[] = [];
let held = 0;
/** A chunk is held until collected: then every text in it is gone too. */
const collected = new FinalizationRegistry<number>((size) => {
  held -= size;
});

function newChunk(size: number): Chunk | null {
  if (held + size > BUDGET_BYTES) return null;
  held += size;
  const chunk = new Chunk(size);
  collected.register(chunk, size);
  return chunk;
}

/** Keeps a copy of `source[start, end)` as `vector`'s text. */
export function keepVectorText(vector: Float32Array, source: Buffer, start: number, end: number): void {
  const length = end - start;
  let chunk = current;
  if (chunk === null || chunk.used + length > chunk.bytes.length) {
    if (chunk !== null && chunk.live === 0 && length <= chunk.bytes.length) chunk.used = 0;
    else {
      chunk = length <= CHUNK_BYTES ? (spare.pop() ?? newChunk(CHUNK_BYTES)) : newChunk(length);
      // Over the budget: no text, this vector's read-back is parsed.
      if (chunk === null) return;
      current = chunk;
    }
  }
  source.copy(chunk.bytes, chunk.used, start, end);
  (vector as WithText)[TEXT] = { bytes: chunk.bytes, start: chunk.used, end: chunk.used + length, chunk };
  chunk.used += length;
  chunk.live++;
}

export function vectorTextOf(vector: unknown): VectorText | undefined {
  return vector instanceof Float32Array ? (vector as WithText)[TEXT] : undefined;
}

/** The text is not needed any more: the vector forgets it, and its chunk is reused once none of its texts is needed. */
export function releaseVectorText(vector: unknown): void {
  if (!(vector instanceof Float32Array)) return;
  const text = (vector as WithText)[TEXT];
  if (text === undefined) return;
  (vector as WithText)[TEXT] = undefined;
  const chunk = text.chunk;
  chunk.live--;
  if (chunk.live === 0 && chunk !== current && spare.length < SPARE_CHUNKS && chunk.bytes.length === CHUNK_BYTES) {
    chunk.used = 0;
    spare.push(chunk);
  }
}
