import { describe, expect, it } from 'vitest';
import { valueProblem } from '../../../src/core/model/value-check.js';
import { floatText, parseTyped, stringifyTyped } from '../../../src/core/model/typed-json.js';
import { valueType, WholeFloat } from '../../../src/core/model/values.js';
import { checkPageFits } from '../../../src/core/sinks/target-fit.js';
import type { BackupRecord } from '../../../src/core/model/record.js';

describe('metadata values keep their Chroma type through JSON', () => {
  it('reads 2.0 as a float, 2 as an int, and an int past 2^53 exactly', () => {
    const value = parseTyped('{"f":2.0,"i":2,"big":9007199254740993,"neg":-9007199254740993,"e":1e3,"frac":0.5,"zero":-0.0,"s":"2.0"}') as Record<string, never>;
    expect(value).toEqual({
      f: new WholeFloat(2),
      i: 2,
      big: 9007199254740993n,
      neg: -9007199254740993n,
      e: new WholeFloat(1000),
      frac: 0.5,
      zero: new WholeFloat(-0),
      s: '2.0',
    });
    expect(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, valueType(v)]))).toEqual({
      f: 'float', i: 'int', big: 'int', neg: 'int', e: 'float', frac: 'float', zero: 'float', s: 'string',
    });
  });

  it('reads lists of each type, a float list keeping its whole floats', () => {
    const value = parseTyped('{"s":["a","b"],"i":[1,2],"f":[1.0,2.5],"b":[true,false]}') as Record<string, never>;
    expect(value).toEqual({ s: ['a', 'b'], i: [1, 2], f: [new WholeFloat(1), 2.5], b: [true, false] });
    expect(['s', 'i', 'f', 'b'].map((k) => valueType(value[k]!))).toEqual(['string[]', 'int[]', 'float[]', 'bool[]']);
  });

  it('a decimal long enough to round to a whole number is still a float', () => {
    expect(parseTyped('{"x":0.99999999999999999}')).toEqual({ x: new WholeFloat(1) });
  });

  it('writes each value back as the same token, and plain values exactly as JSON.stringify', () => {
    const text = '{"f":2.0,"i":2,"big":9007199254740993,"l":[1.0,2.5],"z":-0.0,"s":"x"}';
    expect(stringifyTyped(parseTyped(text))).toBe(text);
    const plain = { a: 1, b: 0.25, c: 'x', d: [true], e: null };
    expect(stringifyTyped(plain)).toBe(JSON.stringify(plain));
    expect(floatText(1e21)).toBe('1e+21');
    expect(floatText(3)).toBe('3.0');
  });

  it('refuses what Chroma refuses: nested and mixed lists, objects, a malformed sparse vector', () => {
    expect(valueProblem([['a']])).toMatch(/nested lists/);
    expect(valueProblem(['a', 1])).toMatch(/one type/);
    expect(valueProblem([1, 2.5])).toBeNull(); // the server reads it as floats
    expect(valueProblem({ a: 1 })).toMatch(/must be a string, number/);
    expect(valueProblem({ '#type': 'sparse_vector', indices: [1, 2], values: [0.5], tokens: null })).toMatch(/different number/);
    expect(valueProblem({ '#type': 'sparse_vector', indices: [1], values: [0.5], tokens: ['w'] })).toBeNull();
    expect(valueProblem(Number.NaN)).not.toBeNull();
    // i64, as the server stores ints: one past it the server would silently read as a float.
    expect(valueProblem(9223372036854775807n)).toBeNull();
    expect(valueProblem(-9223372036854775808n)).toBeNull();
    expect(valueProblem(9223372036854775808n)).toMatch(/int beyond the range Chroma stores/);
    expect(valueProblem([1, -9223372036854775809n])).toMatch(/holds an int beyond the range Chroma stores \(-9223372036854775809\)/);
  });
});

describe('the fast path', () => {
  it('sends only text with a number JSON.parse would mistype the slow way', async () => {
    const { mayLoseNumbers } = await import('../../../src/core/model/typed-json.js');
    expect(mayLoseNumbers('{"page":3,"score":0.8234567891234567,"t":"x"}')).toBe(false);
    expect(mayLoseNumbers('{"v":2.0}')).toBe(true);
    expect(mayLoseNumbers('{"v":1e3}')).toBe(true);
    expect(mayLoseNumbers('{"v":1.5e-3}')).toBe(false);
    expect(mayLoseNumbers('{"v":0.99999999999999999}')).toBe(true);
    expect(mayLoseNumbers('{"v":9007199254740993}')).toBe(true);
    expect(mayLoseNumbers('{"v":-123456789012345}')).toBe(false);
  });
});

describe('a copy checks each page against what the target holds', () => {
  const header = { name: 'hybrid', metadata: null, space: 'l2' as const, count: 3, dimension: 2 };
  const sparse = { '#type': 'sparse_vector' as const, indices: [1], values: [0.5] };
  const page: BackupRecord[] = [
    { id: 'a', document: null, metadata: { kind: 'x' }, embedding: [0.1, 0.2], uri: null },
    { id: 'b', document: null, metadata: { kind: 'y', sparse }, embedding: [0.3, 0.4], uri: null },
  ];
  const node = { arrays: true, sparse: false, known: true };

  it('a page without lists or sparse vectors passes without a word', () => {
    expect(checkPageFits(header, [page[0]!], { arrays: false, sparse: false, known: true }, { dropSparse: false })).toEqual([]);
  });

  it('a sparse vector stops it with the copy\'s words, unless it was chosen to leave them out', () => {
    const stopped = 'The copy stopped before sending them.';
    expect(() => checkPageFits(header, page, node, { dropSparse: false, stopped })).toThrow(/holds sparse vectors in metadata "sparse" \(1 record\).*The copy stopped before sending them\./);
    expect(checkPageFits(header, page, node, { dropSparse: true, stopped })).toHaveLength(1);
    expect(checkPageFits(header, page, { ...node, sparse: true }, { dropSparse: false, stopped })).toEqual([]);
  });
});
