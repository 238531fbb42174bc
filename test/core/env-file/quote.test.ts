import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/core/util/errors.js';
import { encodeValue } from '../../../src/core/env-file/quote.js';
import { patchEnv } from '../../../src/core/env-file/patch.js';

const PIECES = [
  'a', 'Z', '0', ' ', '  ', '\t', '#', '# c', '"', "'", '`', '=', '$', '${HOME}', '$X', '\\', '\\n', '\\r', '\\"', "\\'",
  '\n', '\r\n', '\r', 'é', '🙂', '\u00a0', ':', 'export ', 'KEY=', 'https://u:p@h/x?y=1&z', '/', '-', '.', ',',
];

/**
 * dotenv's limits, stated on their own: a value needs quotes when unquoted dotenv would cut or
 * trim it or take its first quote for an opening one; each quote kind then has characters it
 * cannot hold, because dotenv has no escapes beyond \n and \r in double quotes.
 */
function representable(value: string): boolean {
  const needsQuotes = /[#\r\n]/.test(value) || value.trim() !== value || /^["'`]/.test(value);
  if (!needsQuotes) return true;
  const trailingBackslash = value.endsWith('\\');
  const double = !value.includes('"') && !/\\[nr]/.test(value) && !trailingBackslash;
  const single = !value.includes("'") && !value.includes('\r') && !trailingBackslash;
  const backtick = !value.includes('`') && !value.includes('\r') && !trailingBackslash;
  return double || single || backtick;
}

function awkwardValues(count: number, seed: number): string[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const fixed = ['', ' ', 'plain', 'two words', ' lead', 'trail ', 'a#b', '#', 'say "hi"', "it's", `it's "both"`, `it's "all" \`three\``,
    'line one\nline two', 'line one\r\nline two', 'both\n"q" and \'q\'', 'ends with \\', 'has \\n literally', '$HOME and ${PATH}',
    'a=b=c', '"quoted"', "'quoted'", '`quoted`', '\n', '\r', 'sk-live_9f8e7d6c5b4a', 'dGVzdA==', 'x\n# not a comment\nY=not a key'];
  const values = [...fixed];
  while (values.length < count) {
    const parts = 1 + Math.floor(random() * 6);
    values.push(Array.from({ length: parts }, () => PIECES[Math.floor(random() * PIECES.length)]).join(''));
  }
  return values;
}

/** Neighbours chosen to catch a value that leaks into, or swallows, the lines around it. */
const BEFORE = ['# app settings', 'export FIRST="a b"', "OPEN_LOOKING=it's", 'EMPTY=', 'QUOTED=\'x\''];
const AFTER = ['LAST="tail"', '# "a quote in a comment"', "NEXT='y'", 'MULTI="m1\\nm2"', 'BARE=z'];

describe('every value is written so that dotenv.parse gives it back exactly', () => {
  const values = awkwardValues(4000, 20261125);

  it('encodes what dotenv can hold and refuses only what it cannot', () => {
    let refused = 0;
    for (const value of values) {
      let encoded: string | undefined;
      try {
        encoded = encodeValue(value);
      } catch (error) {
        expect(error, JSON.stringify(value)).toBeInstanceOf(MigrateError);
        refused += 1;
      }
      expect(encoded !== undefined, JSON.stringify(value)).toBe(representable(value));
      if (encoded === undefined) continue;
      for (const eol of ['\n', '\r\n']) {
        const text = [...BEFORE, `KEY=${encoded.replace(/\n/g, eol)}`, ...AFTER].join(eol) + eol;
        const parsed = parse(text);
        expect(parsed.KEY, JSON.stringify(text)).toBe(value);
        expect(parsed.LAST).toBe('tail');
        expect(parsed.NEXT).toBe('y');
        expect(parsed.FIRST).toBe('a b');
        expect(Object.keys(parsed)).toHaveLength(BEFORE.length - 1 + 1 + AFTER.length - 1);
      }
    }
    // The generator is meant to find the corners, not live in them.
    expect(refused).toBeLessThan(values.length / 4);
  });

  it('holds through patchEnv: replacing a one-line, an export and a multi-line entry, and appending', () => {
    const bases = [
      '# top\nKEY=old\nOTHER=1\n',
      '# top\r\nexport KEY="old value" # why\r\nOTHER=1',
      'A=1\nKEY="old\nmulti\nline"\nOTHER=1\n',
      'A=1\nOTHER=1\n',
      '',
    ];
    for (const value of values.filter(representable)) {
      for (const base of bases) {
        const text = patchEnv(base, { set: { KEY: value } });
        const parsed = parse(text);
        expect(parsed.KEY, JSON.stringify(text)).toBe(value);
        expect({ ...parsed, KEY: undefined }).toEqual({ ...parse(base), KEY: undefined });
      }
    }
  });

  it('quotes what needs quoting, and leaves hosts, ports and tokens bare', () => {
    expect(encodeValue('chroma.up.railway.app')).toBe('chroma.up.railway.app');
    expect(encodeValue('443')).toBe('443');
    expect(encodeValue('sk-abc_123')).toBe('sk-abc_123');
    expect(encodeValue('two words')).toBe('"two words"');
    expect(encodeValue('a#b')).toBe('"a#b"');
    expect(encodeValue('a=b')).toBe('"a=b"');
    expect(encodeValue('$HOME')).toBe("'$HOME'");
    expect(encodeValue('line\nbreak')).toBe('"line\\nbreak"');
    expect(encodeValue(`it's "both"`)).toBe(`\`it's "both"\``);
    expect(encodeValue('')).toBe('""');
  });
});
