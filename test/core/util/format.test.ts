import { describe, expect, it } from 'vitest';
import { inQuotes, shown } from '../../../src/core/util/format.js';

describe('a value from the data, shown in a line of output', () => {
  it('leaves plainly printable ids as they are, spaces, accents and emoji included', () => {
    for (const id of ['doc-1', 'a b', 'x,y', 'café', '日本語', '👍🏽', 'it\'s', 'back\\slash']) expect(shown(id)).toBe(id);
  });

  it('quotes and escapes control characters, so an id cannot forge a line or move the cursor', () => {
    expect(shown('evil\n✓ inject: 3 at the source, all equal')).toBe('"evil\\n✓ inject: 3 at the source, all equal"');
    expect(shown('esc\x1b[1A\x1b[2K\r✓ all good\x1b[0m')).toBe('"esc\\u001b[1A\\u001b[2K\\r✓ all good\\u001b[0m"');
    expect(shown('a\tb')).toBe('"a\\tb"');
    expect(shown('a\x7fb')).toBe('"a\\u007fb"');
    expect(shown('a\x85b')).toBe('"a\\u0085b"');
    expect(shown('a\x9bb')).toBe('"a\\u009bb"');
  });

  it('quotes white space at either end, and spaces that only look like a plain one', () => {
    expect(shown('trail-space ')).toBe('"trail-space "');
    expect(shown(' lead')).toBe('" lead"');
    expect(shown('a\u00a0b')).toBe('"a\\u00a0b"');
    expect(shown('a\u3000b')).toBe('"a\\u3000b"');
  });

  it('escapes line and paragraph separators, bidi controls and zero-width characters', () => {
    expect(shown('a\u2028b')).toBe('"a\\u2028b"');
    expect(shown('a\u2029b')).toBe('"a\\u2029b"');
    expect(shown('abc\u202edcba')).toBe('"abc\\u202edcba"');
    expect(shown('a\u2066b\u2069')).toBe('"a\\u2066b\\u2069"');
    expect(shown('a\u200bb')).toBe('"a\\u200bb"');
    expect(shown('a\u200db')).toBe('"a\\u200db"');
    expect(shown('\ufeffa')).toBe('"\\ufeffa"');
    expect(shown('tag\u{E0041}')).toBe('"tag\\udb40\\udc41"');
  });

  it('quotes the empty id, a lone surrogate half, and an id that already begins with a quote', () => {
    expect(shown('')).toBe('""');
    expect(shown('x\ud800')).toBe('"x\\ud800"');
    expect(shown('"a\\n"')).toBe('"\\"a\\\\n\\""');
  });

  it('tells an id in NFD from the same id in NFC: the combining mark is escaped', () => {
    expect(shown('nfd-\u00e9')).toBe('nfd-\u00e9');
    expect(shown('nfd-e\u0301')).toBe('"nfd-e\\u0301"');
  });

  it('in words that quote it anyway, quotes a plain id as before and escapes the rest alike', () => {
    expect(inQuotes('doc-1')).toBe('"doc-1"');
    expect(inQuotes('evil\n✓')).toBe('"evil\\n✓"');
    expect(inQuotes('a\u202eb')).toBe('"a\\u202eb"');
    expect(inQuotes('nfd-e\u0301')).toBe('"nfd-e\\u0301"');
  });
});

describe('an id holding the separator of a list', () => {
  it('is quoted, so "a, b" never reads as two ids', async () => {
    const { shown } = await import('../../../src/core/util/format.js');
    expect(shown('a, b')).toBe('"a, b"');
    expect(shown('a,b')).toBe('a,b');
  });
});
