import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/core/util/errors.js';
import { encodeValue } from '../../../src/core/env-file/quote.js';
import { pythonDotenvValue } from '../../../src/core/env-file/python-dotenv.js';
import { patchEnv } from '../../../src/core/env-file/patch.js';
import { hasPythonDotenv, pythonDotenvValues } from '../../helpers/python-dotenv.js';

const PIECES = [
  'a', 'Z', '0', ' ', '  ', '\t', '#', '# c', '"', "'", '`', '=', '$', '${HOME}', '$X', '\\', '\\n', '\\r', '\\"', "\\'",
  '\n', '\r\n', '\r', 'é', '🙂', '\u00a0', ':', 'export ', 'KEY=', 'https://u:p@h/x?y=1&z', '/', '-', '.', ',',
];

/**
 * The limits of Node's dotenv and python-dotenv together, stated on their own. python-dotenv
 * replaces ${NAME} in any value. A value needs quotes when unquoted either parser would cut or
 * trim it (Python's whitespace includes \x1c-\x1f and \x85) or take its first quote for an
 * opening one. Backticks are no quotes to Python. Double quotes cannot hold a backslash that
 * either parser would take for an escape (Node: \n \r; Python: \\ \' \" \a \b \f \n \r \t \v);
 * single quotes cannot hold \\ (Python's escape), a \r, or a final backslash.
 */
function representable(value: string): boolean {
  if (/\$\{[^}:]*(?::-[^}]*)?\}/.test(value)) return false;
  const edgeSpace = /^[\s\x1c-\x1f\x85]|[\s\x1c-\x1f\x85]$/.test(value);
  const needsQuotes = /[#\r\n]/.test(value) || edgeSpace || /^["'`]/.test(value);
  if (!needsQuotes) return true;
  const trailingBackslash = value.endsWith('\\');
  const double = !value.includes('"') && !/\\[\\'"abfnrtv\n\r]/.test(value) && !trailingBackslash;
  const single = !value.includes("'") && !value.includes('\r') && !value.includes('\\\\') && !trailingBackslash;
  return double || single;
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

describe('every value is written so that dotenv.parse and python-dotenv give it back exactly', () => {
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
        expect(pythonDotenvValue(encoded.replace(/\n/g, eol)), JSON.stringify(encoded)).toBe(value);
        expect(parsed.LAST).toBe('tail');
        expect(parsed.NEXT).toBe('y');
        expect(parsed.FIRST).toBe('a b');
        expect(Object.keys(parsed)).toHaveLength(BEFORE.length - 1 + 1 + AFTER.length - 1);
      }
    }
    // The generator is meant to find the corners, not live in them.
    expect(refused).toBeLessThan(values.length / 4);
  });

  it.skipIf(!hasPythonDotenv)('reads back exactly in the real python-dotenv, LF and CRLF files alike', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quote-py-'));
    try {
      const written = values.filter(representable).map((value) => ({ value, encoded: encodeValue(value) }));
      for (const eol of ['\n', '\r\n']) {
        const path = join(dir, `.env${eol.length}`);
        await writeFile(path, written.map(({ encoded }, index) => `K${index}=${encoded.replace(/\n/g, eol)}${eol}`).join(''));
        const read = pythonDotenvValues(path);
        written.forEach(({ value, encoded }, index) => expect(read[`K${index}`], JSON.stringify(encoded)).toBe(value));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
    expect(encodeValue('')).toBe('""');
  });

  it("writes a token with both quote kinds bare, which both parsers read as it is (backticks are no quotes to Python)", () => {
    expect(encodeValue(`a'b"c`)).toBe(`a'b"c`);
    expect(encodeValue(`it's "both"`)).toBe(`it's "both"`);
    expect(pythonDotenvValue('`a\'b"c`')).toBe('`a\'b"c`');
  });

  it('refuses, naming the reason and the way out, what python-dotenv would change in any spelling', () => {
    const refusal = (value: string) => {
      try {
        encodeValue(value, 'CHROMA_AUTH_TOKEN');
      } catch (error) {
        return error as MigrateError;
      }
      return undefined;
    };
    // Python replaces ${HOME} inside double quotes and single quotes alike.
    expect(refusal("x${HOME}y'z")?.message).toMatch(/^CHROMA_AUTH_TOKEN holds "\$\{…\}", which python-dotenv .* replaces/);
    expect(refusal('x${HOME}y')?.fix).toMatch(/without "\$\{"/);
    // A "#" needs quotes, and neither kind can hold both quote characters.
    expect(refusal(`a'b"c#d`)?.message).toMatch(/both ' and "/);
    expect(refusal(`a'b"c#d`)?.fix).toMatch(/without both quote kinds/);
    // A backslash that python-dotenv takes for an escape inside double quotes (single quotes keep it).
    expect(encodeValue('tab\\t #x')).toBe("'tab\\t #x'");
    expect(refusal("it's a\\t #x")?.message).toMatch(/or a backslash/);
    expect(encodeValue('$HOME is not ${')).toBe(`'$HOME is not \${'`);
  });
});

describe('a key that is not a variable name', () => {
  it('is named escaped: a key from a file cannot forge a line of the error', () => {
    expect(() => patchEnv('', { set: { 'BAD\n✓ written': 'x' } })).toThrow(/^"BAD\\n✓ written" is not a variable name/);
  });
});
