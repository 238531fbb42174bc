import { describe, expect, it } from 'vitest';
import { parseFloatPage, readGetPage } from '../../../src/core/chroma/float-page.js';
import { WholeFloat } from '../../../src/core/model/values.js';
import { seededRandom } from '../../helpers/prng.js';

const read = (json: string) => parseFloatPage(Buffer.from(json, 'utf8'));

/** What the ordinary path gives: JSON.parse, then float32 as Chroma stores it. */
function expected(json: string): unknown {
  const page = JSON.parse(json) as { embeddings: Array<number[] | null> | null };
  return { ...page, embeddings: page.embeddings?.map((vector) => (vector === null ? null : Float32Array.from(vector))) ?? null };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

describe('parseFloatPage', () => {
  it('reads a get answer as JSON.parse would, with embeddings as float32', () => {
    const json =
      '{"ids":["a","b"],"embeddings":[[0.5,-0.25,1e-3],[3,-0.0,1.5E+2]],"documents":["x \\"quoted\\" ] }","y"],' +
      '"uris":[null,"s3://b"],"metadatas":[{"k":"v","n":1.5,"t":true},null],"include":["embeddings","documents"]}';
    expect(read(json)).toEqual(expected(json));
  });

  it('reads fraction digits four at a time as it reads them one by one: every length, zeros, and what ends them', () => {
    const rand = seededRandom(5);
    const texts: string[] = [];
    for (let length = 1; length <= 24; length++) {
      for (const zeros of [0, 1, 3, 4, 5, 8]) {
        const digits = Array.from({ length }, () => Math.floor(rand() * 10)).join('');
        const fraction = `${'0'.repeat(zeros)}${digits}`;
        texts.push(`0.${fraction}`, `-0.${fraction}`, `7.${fraction}`, `0.${fraction}e-3`, `0.${fraction}E2`, `12.${fraction}0000`);
      }
    }
    const vector = `[${texts.join(',')}]`;
    const got = read(`{"ids":["a"],"embeddings":[${vector}]}`)?.embeddings?.[0];
    const want = Float32Array.from(JSON.parse(vector) as number[]);
    expect(texts.filter((_, i) => !Object.is(got?.[i], want[i]))).toEqual([]);
    // Bytes 0x3a-0x3f share the digits' high nibble: never read as digits.
    for (const bad of ['0.12:4', '0.1;23', '0.123?', '0.1234>5678', '0.12/4']) expect(read(`{"ids":["a"],"embeddings":[[${bad}]]}`)).toBeNull();
  });

  it('gives every number the bits of Math.fround(JSON.parse(text)), in every notation', () => {
    const rand = seededRandom(11);
    const texts: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const magnitude = 10 ** Math.floor(rand() * 80 - 40);
      const value = Math.fround((rand() * 2 - 1) * magnitude);
      if (!Number.isFinite(value)) continue;
      const notations = [
        String(value), // a double's 17 digits: outside the fast path
        value.toPrecision(9), // float32's shortest form is at most 9 digits
        value.toExponential(Math.floor(rand() * 10)),
        Math.abs(value) < 1e20 ? value.toFixed(Math.floor(rand() * 20)) : String(value),
        String(value).replace('e', 'E'),
      ];
      texts.push(...notations);
    }
    // Leading fraction zeros bring a huge exponent back into range.
    texts.push(`0.${'0'.repeat(10_005)}1e10010`, `-0.${'0'.repeat(400)}25e401`, '1e-0', '1E+022', '0e99999999');
    texts.push('0', '-0', '0.0', '-0.0', '1', '123456789012345', '1234567890123456789', '1e-45', '1e-46', '3.4028235e38', '-3.4028234e38', '0.000000000000000000000001', '1e22', '1e23');
    const vector = `[${texts.join(',')}]`;
    const json = `{"ids":["a"],"embeddings":[${vector}]}`;
    const got = read(json)?.embeddings?.[0];
    const want = Float32Array.from(JSON.parse(vector) as number[]);
    expect(got).toBeInstanceOf(Float32Array);
    const differing = texts.filter((_, i) => !Object.is(got?.[i], want[i]));
    expect(differing).toEqual([]);
    expect(sameBits(got as Float32Array, want)).toBe(true);
  });

  it('keeps a null embedding, an empty page and answers without embeddings', () => {
    const json = '{"ids":["a","b"],"embeddings":[null,[1,2]],"documents":null}';
    expect(read(json)).toEqual(expected(json));
    expect(read('{"ids":[],"embeddings":[]}')).toEqual({ ids: [], embeddings: [] });
    expect(read('{"ids":["a"],"embeddings":null,"documents":["d"]}')).toEqual({ ids: ['a'], embeddings: null, documents: ['d'] });
  });

  it('allows white space anywhere JSON does', () => {
    const json = ' {\n "ids" : [ "a" ] ,\t"embeddings" : [ [ 1 , -2.5e-1 ] , null ] , "metadatas" : [ { "k" : [ 1 ] } ] } \n';
    expect(read(json)).toEqual(expected(json));
  });

  it('leaves what it does not expect to JSON.parse (null), including values float32 cannot hold', () => {
    const refused = [
      '{"ids":["a"],"embeddings":[[01]]}',
      '{"ids":["a"],"embeddings":[[1.]]}',
      '{"ids":["a"],"embeddings":[[.5]]}',
      '{"ids":["a"],"embeddings":[[-]]}',
      '{"ids":["a"],"embeddings":[[1e]]}',
      '{"ids":["a"],"embeddings":[[1,]]}',
      '{"ids":["a"],"embeddings":[[1 2]]}',
      '{"ids":["a"],"embeddings":[[null]]}',
      '{"ids":["a"],"embeddings":[[NaN]]}',
      '{"ids":["a"],"embeddings":[[3.4028236e38]]}',
      '{"ids":["a"],"embeddings":[[-1e39]]}',
      '{"ids":["a"],"embeddings":[[1e400]]}',
      '{"ids":["a"],"embeddings":[{"0":1}]}',
      '{"ids":["a"],"embeddings":[[1]]} x',
      '{"ids":["a"],"embeddings":[[1]]',
      '{"ids":["a","b"],"documents":["unterminated]}',
      '{"embeddings":[[1]]}',
      '{"__proto__":{"ids":["x"]},"embeddings":[[1]]}',
      `{"ids":["a"],"embeddings":[[0.${'0'.repeat(9_999)}1e100000]]}`,
      '\ufeff{"ids":["a"],"embeddings":[[1]]}',
      '{"ids":["a"],"documents":[tru]}',
      '[1,2]',
      '',
    ];
    for (const json of refused) expect(read(json), json).toBeNull();
  });

  it('reads strings with escapes and brackets inside, and keys in any order', () => {
    const json = '{"metadatas":[{"q":"\\\\","r":"}]\\"\\\\\\""}],"documents":["\\\\\\"[{"],"embeddings":[[2]],"ids":["\\u00e9"]}';
    expect(read(json)).toEqual(expected(json));
  });
});

describe('readGetPage', () => {
  it('keeps metadata number types on the JSON.parse fallback too (a page float-page does not take)', () => {
    // A "__proto__" key makes float-page give up; the fallback must still type the metadatas.
    const json = '{"__proto__":1,"ids":["a"],"metadatas":[{"f":2.0,"big":9007199254740993,"l":[1.0,2.5]}],"embeddings":[[1.5,2]]}';
    expect(parseFloatPage(Buffer.from(json))).toBeNull();
    const page = readGetPage(Buffer.from(json))!;
    expect(page.metadatas).toEqual([{ f: new WholeFloat(2), big: 9007199254740993n, l: [new WholeFloat(1), 2.5] }]);
    expect(page.ids).toEqual(['a']);
  });

  it('types the metadatas on the fast path as well, and gives null for a body that is not JSON', () => {
    expect(readGetPage(Buffer.from('{"ids":["a"],"metadatas":[{"f":-0.0,"e":1e21}],"embeddings":[[1]]}'))!.metadatas).toEqual([
      { f: new WholeFloat(-0), e: new WholeFloat(1e21) },
    ]);
    expect(readGetPage(Buffer.from('<html>'))).toBeNull();
  });
});

describe('parseFloatPage comparing embeddings as it reads them', () => {
  const ULP = (value: number) => {
    const bits = new Int32Array(Float32Array.of(value).buffer);
    bits[0]! += 1; // the next float32 away from zero
    return new Float32Array(bits.buffer)[0]!;
  };
  const compared = (json: string, expected: Record<string, number[] | Float32Array | null>, steps = 0) =>
    parseFloatPage(Buffer.from(json, 'utf8'), { expected: (id) => (Object.hasOwn(expected, id) ? expected[id] : undefined), steps });
  const vector = (seed: number) => Array.from({ length: 384 }, (_, i) => Math.fround(Math.sin(seed * 1000 + i) * 0.9));
  const text = (values: number[]) => `[${values.map((value) => String(value)).join(',')}]`;

  it('marks each record read back whose embedding is the one sent, and keeps no vectors', () => {
    const a = vector(1);
    const b = vector(2);
    const page = compared(`{"ids":["b","a"],"embeddings":[${text(b)},${text(a)}],"documents":["x","y"]}`, { a: Float32Array.from(a), b })!;
    expect(page.embeddingsMatch).toEqual(Uint8Array.of(1, 1));
    expect(page.embeddings).toBeNull();
    expect(page.ids).toEqual(['b', 'a']);
    expect(page.documents).toEqual(['x', 'y']);
  });

  it('a single bit flipped in the last float of the last record is a difference, in l2 and ip', () => {
    const a = vector(1);
    const b = vector(2);
    const flipped = [...b];
    flipped[383] = ULP(b[383]!);
    const page = compared(`{"ids":["a","b"],"embeddings":[${text(a)},${text(flipped)}]}`, { a, b })!;
    expect(page.embeddingsMatch).toEqual(Uint8Array.of(1, 0));
  });

  it('in cosine space two float32 steps pass and three do not, as sameEmbedding decides', () => {
    const a = [0.5, -0.25, 3];
    const two = [0.5, -0.25, ULP(ULP(3))];
    const three = [0.5, -0.25, ULP(ULP(ULP(3)))];
    expect(compared(`{"ids":["a"],"embeddings":[${text(two)}]}`, { a }, 2)!.embeddingsMatch).toEqual(Uint8Array.of(1));
    expect(compared(`{"ids":["a"],"embeddings":[${text(three)}]}`, { a }, 2)!.embeddingsMatch).toEqual(Uint8Array.of(0));
    expect(compared(`{"ids":["a"],"embeddings":[${text(two)}]}`, { a }, 0)!.embeddingsMatch).toEqual(Uint8Array.of(0));
  });

  it('finds each record by its id, whatever characters the id holds', () => {
    const ids = ['quote"d', 'back\\slash', 'ünïcødé', '😀 emoji', 'tab\there', 'slash/and space', '\u2028line'];
    const expected = Object.fromEntries(ids.map((id, k) => [id, vector(k + 3)]));
    // The answer in another order than asked, as Chroma gives it.
    const order = [...ids].reverse();
    const json = `{"ids":${JSON.stringify(order)},"embeddings":[${order.map((id) => text(expected[id]!)).join(',')}]}`;
    expect(compared(json, expected)!.embeddingsMatch).toEqual(new Uint8Array(ids.length).fill(1));
    // Each vector under the wrong id is a difference.
    const swapped = `{"ids":${JSON.stringify(order)},"embeddings":[${ids.map((id) => text(expected[id]!)).join(',')}]}`;
    expect(Array.from(compared(swapped, expected)!.embeddingsMatch!).filter((same) => same === 1)).toEqual([1]); // only the middle one
  });

  it('null against null is the same; null against a vector, another length or an id not asked for is not', () => {
    const json = '{"ids":["n","v","short","stranger"],"embeddings":[null,null,[1,2],[1,2,3]]}';
    expect(compared(json, { n: null, v: [1, 2, 3], short: [1, 2, 3] })!.embeddingsMatch).toEqual(Uint8Array.of(1, 0, 0, 0));
    expect(compared('{"ids":["n"],"embeddings":[[1]]}', { n: null })!.embeddingsMatch).toEqual(Uint8Array.of(0));
  });

  it('-0 and +0 compare as sameEmbedding compares them; no number equals NaN', () => {
    expect(compared('{"ids":["z"],"embeddings":[[-0.0,0.0]]}', { z: [0, -0] })!.embeddingsMatch).toEqual(Uint8Array.of(1));
    expect(compared('{"ids":["z"],"embeddings":[[1,2]]}', { z: [1, Number.NaN] })!.embeddingsMatch).toEqual(Uint8Array.of(0));
    expect(compared('{"ids":["z"],"embeddings":[[1,2]]}', { z: [1, Number.NaN] }, 2)!.embeddingsMatch).toEqual(Uint8Array.of(0));
  });

  it('keeps the vectors when the embeddings come before the ids, or a key comes twice', () => {
    const before = compared('{"embeddings":[[1,2]],"ids":["a"]}', { a: [1, 2] })!;
    expect(before.embeddingsMatch).toBeUndefined();
    expect(before.embeddings).toEqual([Float32Array.of(1, 2)]);
    // A later "ids" would move the comparison onto other records: parsed the ordinary way.
    expect(compared('{"ids":["a"],"embeddings":[[1,2]],"ids":["b"]}', { a: [1, 2], b: [9, 9] })).toBeNull();
    const page = readGetPage(Buffer.from('{"ids":["a"],"embeddings":[[1,2]],"ids":["b"]}'), { expected: () => [1, 2], steps: 0 })!;
    expect(page.embeddingsMatch).toBeUndefined();
    expect(page.ids).toEqual(['b']);
  });

  it('a field of the answer named embeddingsMatch is never taken for the comparison', () => {
    const page = compared('{"ids":["a"],"embeddingsMatch":[1],"embeddings":[[5]]}', { a: [1] })!;
    expect(page.embeddingsMatch).toEqual(Uint8Array.of(0));
    const unasked = compared('{"ids":["a"],"embeddings":null,"embeddingsMatch":[1]}', { a: [1] })!;
    expect(unasked.embeddingsMatch).not.toBeInstanceOf(Uint8Array);
  });
});
