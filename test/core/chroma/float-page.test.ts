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
