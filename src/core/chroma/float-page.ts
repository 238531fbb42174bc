/**
 * Reads a `get` answer straight from its bytes, turning the embeddings' decimal text into
 * float32 without the detour through a JS string and arrays of numbers.
 *
 * Why: profiling an export of 20k × 384-d records showed the client, not the server, as the
 * limit. Of ~2.1 s on the main thread, decoding the 87 MB of answers to (two-byte) strings took
 * 0.43 s, JSON.parse 0.44 s, and the garbage collector 0.33 s, nearly all for the embeddings.
 *
 * The result is exactly what JSON.parse then Math.fround would give: every number goes through
 * the correctly rounded double (Clinger's fast path, or Number() outside it) before float32.
 * Anything this reader does not expect makes it return null, and the caller parses the text
 * the ordinary way, which also explains malformed JSON.
 */
import { sameFloat32s } from '../model/float32.js';
import type { Embedding } from '../model/record.js';
import { mayLoseNumbers, parseTyped } from '../model/typed-json.js';
import type { GetPage } from './wire-types.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const LOWER_N = 0x6e;
const LOWER_U = 0x75;
const LOWER_L = 0x6c;
const UPPER_E = 0x45;

/** 10^0 … 10^22: every one exact in a double, the range of Clinger's fast path. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Below 2^53 a double holds every integer exactly; 15 digits always fit. */
const MAX_FAST_DIGITS = 15;
/** The smallest magnitude float32 rounding turns into Infinity: 2^128 − 2^103. */
const FLOAT32_OVERFLOW = 2 ** 128 - 2 ** 103;

class Unexpected extends Error {}

/**
 * A read-back's embeddings compared as they are read, instead of kept: each vector against the
 * one expected for its id, within `steps` float32 steps (sameFloat32s). The page then holds
 * `embeddingsMatch` and no `embeddings`. Only when the answer names its ids before its
 * embeddings (Chroma's order); otherwise the embeddings are kept as usual.
 */
export interface EmbeddingCheck {
  /** The embedding sent for `id` (null: none); undefined for an id that was not asked for. */
  expected(id: string): Embedding | null | undefined;
  steps: number;
}

export function parseFloatPage(bytes: Buffer, check?: EmbeddingCheck): GetPage | null {
  try {
    return new Reader(bytes, check).page();
  } catch (error) {
    if (error instanceof Unexpected || error instanceof SyntaxError) return null;
    throw error;
  }
}

const UTF8 = new TextDecoder();

/**
 * A `get` answer as float-page reads it, or — for what it does not expect — as JSON.parse
 * does, with the metadatas read again with their number types when JSON.parse may have lost
 * them. Null when the body is not JSON: the caller explains that.
 */
export function readGetPage(bytes: Buffer, check?: EmbeddingCheck): GetPage | null {
  const page = parseFloatPage(bytes, check);
  if (page !== null) return page;
  const text = UTF8.decode(bytes);
  let parsed: GetPage;
  try {
    parsed = JSON.parse(text) as GetPage;
  } catch {
    return null;
  }
  if (parsed !== null && typeof parsed === 'object' && mayLoseNumbers(text)) {
    parsed.metadatas = (parseTyped(text) as GetPage).metadatas;
  }
  return parsed;
}

class Reader {
  private pos = 0;
  private scratch = new Float32Array(1024);
  /** The same bytes as a plain Uint8Array: element reads on it stay on V8's fast path. */
  private readonly view: Uint8Array;
  /** The same bytes, for reading four digits at once. */
  private readonly words: DataView;
  /** Where the exponent exponentAt last read ends. */
  private exponentEnd = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly check?: EmbeddingCheck,
  ) {
    this.view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    this.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  page(): GetPage {
    const page: Record<string, unknown> = {};
    let embeddingsMatch: Uint8Array | null = null;
    this.expect(OPEN_OBJECT);
    if (this.peek() === CLOSE_OBJECT) {
      this.pos++;
    } else {
      for (;;) {
        const key = this.key();
        // Assigning "__proto__" would set the page's prototype, not a field, as JSON.parse does.
        // A key given twice is left to JSON.parse too: embeddings compared against ids that a
        // later "ids" replaced would vouch for the wrong records.
        if (key === '__proto__' || Object.hasOwn(page, key)) throw new Unexpected();
        this.expect(COLON);
        if (key === 'embeddings' && this.peek() === OPEN_ARRAY) {
          if (this.check && Array.isArray(page.ids)) {
            embeddingsMatch = this.compareEmbeddings(page.ids as unknown[], this.check);
            page[key] = null;
          } else {
            page[key] = this.embeddings();
          }
        }
        // Metadata numbers keep their type: 2.0 stays a float, big ints stay exact (values/).
        else page[key] = key === 'metadatas' ? this.anyValue(parseTyped) : this.anyValue();
        const next = this.next();
        if (next === CLOSE_OBJECT) break;
        if (next !== COMMA) throw new Unexpected();
      }
    }
    if (this.peek() !== -1) throw new Unexpected();
    if (!Array.isArray(page.ids)) throw new Unexpected();
    // Set last: a field of the answer's own by that name is not this (and is never a Uint8Array).
    if (embeddingsMatch) page.embeddingsMatch = embeddingsMatch;
    return page as unknown as GetPage;
  }

  /** 1 where the answer's embedding at that index is the one expected for its id, else 0. */
  private compareEmbeddings(ids: unknown[], check: EmbeddingCheck): Uint8Array {
    const same = new Uint8Array(ids.length);
    this.expect(OPEN_ARRAY);
    if (this.peek() === CLOSE_ARRAY) {
      this.pos++;
      return same;
    }
    for (let index = 0; ; index++) {
      const id = ids[index];
      const expected = typeof id === 'string' ? check.expected(id) : undefined;
      const first = this.peek();
      let match: boolean;
      if (first === OPEN_ARRAY) {
        const count = this.vector();
        match = expected != null && sameFloat32s(this.scratch, count, expected, check.steps);
      } else if (first === LOWER_N) {
        this.literalNull();
        match = expected === null;
      } else {
        throw new Unexpected();
      }
      // More embeddings than ids: the extra ones belong to no record.
      if (match && index < same.length) same[index] = 1;
      const next = this.next();
      if (next === CLOSE_ARRAY) return same;
      if (next !== COMMA) throw new Unexpected();
    }
  }

  private embeddings(): Array<Float32Array | null> {
    const out: Array<Float32Array | null> = [];
    this.expect(OPEN_ARRAY);
    if (this.peek() === CLOSE_ARRAY) {
      this.pos++;
      return out;
    }
    for (;;) {
      const first = this.peek();
      if (first === OPEN_ARRAY) {
        const count = this.vector(); // may replace the scratch with a larger one
        out.push(this.scratch.slice(0, count));
      }
      else if (first === LOWER_N) out.push(this.literalNull());
      else throw new Unexpected();
      const next = this.next();
      if (next === CLOSE_ARRAY) return out;
      if (next !== COMMA) throw new Unexpected();
    }
  }

  private literalNull(): null {
    const { bytes, pos } = this;
    if (bytes[pos] !== LOWER_N || bytes[pos + 1] !== LOWER_U || bytes[pos + 2] !== LOWER_L || bytes[pos + 3] !== LOWER_L) throw new Unexpected();
    this.pos += 4;
    return null;
  }

  /**
   * One embedding, `[n,n,…]`, read into `scratch` (its count returned) in one loop with its state
   * in locals: this is where nearly all of a page's bytes are, and a call per number cost half
   * the speed.
   */
  private vector(): number {
    const { view: bytes, words } = this;
    let scratch = this.scratch;
    let count = 0;
    let pos = this.pos + 1; // past the "[" that peek() saw
    let c = bytes[pos]!;
    while (isSpace(c)) c = bytes[++pos]!;
    if (c === CLOSE_ARRAY) {
      this.pos = pos + 1;
      return 0;
    }
    for (;;) {
      while (isSpace(c)) c = bytes[++pos]!;
      const start = pos;
      const negative = c === MINUS;
      if (negative) c = bytes[++pos]!;
      let mantissa = 0;
      let digits = 0;
      let exponent = 0;
      if (c === ZERO) {
        c = bytes[++pos]!;
        if (c >= ZERO && c <= NINE) throw new Unexpected(); // a leading zero is not JSON
      } else if (c > ZERO && c <= NINE) {
        do {
          mantissa = mantissa * 10 + (c - ZERO);
          digits++;
          c = bytes[++pos]!;
        } while (c >= ZERO && c <= NINE);
      } else {
        throw new Unexpected();
      }
      if (c === DOT) {
        c = bytes[++pos]!;
        if (!(c >= ZERO && c <= NINE)) throw new Unexpected();
        // Four digits at a time while there are four (a page ~20% faster; 10% as a call): each
        // byte is 0x30–0x39 when its high nibble is 3 and adding 6 leaves it 3; each pair of
        // digits into a byte, then both pairs into one number. Leading zeros counted as digits
        // only make the fast path below stricter.
        while (pos + 4 <= bytes.length) {
          const word = words.getUint32(pos, true);
          if ((((word & 0xf0f0f0f0) ^ 0x30303030) | (((word + 0x06060606) & 0xf0f0f0f0) ^ 0x30303030)) !== 0) break;
          const pairs = ((word & 0x0f0f0f0f) * 10 + ((word & 0x0f0f0f0f) >>> 8)) & 0x00ff00ff;
          mantissa = mantissa * 10000 + ((pairs & 0xff) * 100 + (pairs >>> 16));
          if (mantissa !== 0) digits += 4;
          exponent -= 4;
          pos += 4;
        }
        c = bytes[pos]!;
        while (c >= ZERO && c <= NINE) {
          // Leading zeros of a fraction are not significant digits.
          if (mantissa !== 0 || c !== ZERO) {
            mantissa = mantissa * 10 + (c - ZERO);
            digits++;
          }
          exponent--;
          c = bytes[++pos]!;
        }
      }
      if (c === LOWER_E || c === UPPER_E) {
        exponent += this.exponentAt(pos);
        pos = this.exponentEnd;
        c = bytes[pos]!;
      }
      let value: number;
      if (digits <= MAX_FAST_DIGITS && exponent >= -22 && exponent <= 22) {
        // Clinger: an exact integer times or over an exact power of ten rounds once, correctly.
        value = exponent < 0 ? mantissa / POWERS_OF_TEN[-exponent]! : mantissa * POWERS_OF_TEN[exponent]!;
      } else {
        value = Number(this.bytes.toString('latin1', negative ? start + 1 : start, pos));
      }
      // Beyond float32's range: the ordinary path refuses it and says which value.
      if (value >= FLOAT32_OVERFLOW) throw new Unexpected();
      if (count === scratch.length) scratch = this.biggerScratch();
      // A Float32Array store rounds the double to float32 as Math.fround does.
      scratch[count++] = negative ? -value : value;
      while (isSpace(c)) c = bytes[++pos]!;
      if (c === COMMA) {
        c = bytes[++pos]!;
        continue;
      }
      if (c !== CLOSE_ARRAY) throw new Unexpected();
      this.pos = pos + 1;
      return count;
    }
  }

  /** The exponent of a number, `e` at `at`, as a signed power; its end in exponentEnd. */
  private exponentAt(at: number): number {
    const bytes = this.view;
    let pos = at;
    let c = bytes[++pos]!;
    const sign = c === MINUS ? -1 : 1;
    if (c === MINUS || c === PLUS) c = bytes[++pos]!;
    if (!(c >= ZERO && c <= NINE)) throw new Unexpected();
    let power = 0;
    do {
      // No cap: leading fraction zeros can bring a huge exponent back into range. A power past
      // 2^53 (or Infinity) is out of range whatever the zeros, and Number() decides.
      power = power * 10 + (c - ZERO);
      c = bytes[++pos]!;
    } while (c >= ZERO && c <= NINE);
    this.exponentEnd = pos;
    return sign * power;
  }

  /** The scratch, twice as large, holding what it held. */
  private biggerScratch(): Float32Array<ArrayBuffer> {
    const bigger = new Float32Array(this.scratch.length * 2);
    bigger.set(this.scratch);
    this.scratch = bigger;
    return bigger;
  }

  /** Any other value: found by its extent, then read by JSON.parse from just those bytes. */
  private anyValue(parse: (text: string) => unknown = JSON.parse): unknown {
    this.skipSpace();
    const start = this.pos;
    this.skipValue();
    return parse(this.bytes.toString('utf8', start, this.pos));
  }

  private skipValue(): void {
    const bytes = this.bytes;
    let pos = this.pos;
    const first = bytes[pos];
    if (first === QUOTE) {
      pos = this.stringEnd(pos);
    } else if (first === OPEN_ARRAY || first === OPEN_OBJECT) {
      let depth = 0;
      do {
        const c = bytes[pos];
        if (c === undefined) throw new Unexpected();
        if (c === QUOTE) {
          pos = this.stringEnd(pos);
          continue;
        }
        if (c === OPEN_ARRAY || c === OPEN_OBJECT) depth++;
        else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
        pos++;
      } while (depth > 0);
    } else {
      // A number, true, false or null: JSON.parse checks which.
      while (pos < bytes.length && !isSpace(bytes[pos]!) && bytes[pos] !== COMMA && bytes[pos] !== CLOSE_OBJECT) pos++;
    }
    this.pos = pos;
  }

  /** The position just past the string that opens at `open`. */
  private stringEnd(open: number): number {
    const bytes = this.bytes;
    let pos = open + 1;
    for (;;) {
      const close = bytes.indexOf(QUOTE, pos);
      if (close === -1) throw new Unexpected();
      let backslashes = 0;
      while (bytes[close - 1 - backslashes] === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return close + 1;
      pos = close + 1;
    }
  }

  private key(): string {
    if (this.peek() !== QUOTE) throw new Unexpected();
    return this.anyValue() as string;
  }

  private expect(byte: number): void {
    if (this.next() !== byte) throw new Unexpected();
  }

  /** The next byte that is not white space, consumed. */
  private next(): number {
    this.skipSpace();
    const c = this.bytes[this.pos];
    if (c === undefined) throw new Unexpected();
    this.pos++;
    return c;
  }

  /** The next byte that is not white space, left in place; -1 at the end. */
  private peek(): number {
    this.skipSpace();
    return this.bytes[this.pos] ?? -1;
  }

  private skipSpace(): void {
    const bytes = this.bytes;
    while (isSpace(bytes[this.pos]!)) this.pos++;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
