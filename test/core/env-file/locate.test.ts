import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { splitLines, joinLines } from '../../../src/core/env-file/lines.js';
import { locateEntries } from '../../../src/core/env-file/locate.js';

/** What dotenv reads from the lines we say an entry occupies, on their own. */
function entryValues(text: string): Record<string, string> {
  const lines = splitLines(text);
  const values: Record<string, string> = {};
  for (const entry of locateEntries(lines)) {
    const own = joinLines(lines.slice(entry.startLine, entry.endLine + 1));
    values[entry.key] = parse(own)[entry.key] as string;
  }
  return values;
}

const ODD_FILES = [
  '',
  'A=1',
  'A=1\n',
  '# only a comment\n',
  'export A=1\n  export   B = two  # note\n',
  'A="multi\nline\nvalue"\nB=after\n',
  "A='single\n# not a comment\nC=not a key'\nB=2",
  'A=`tick\nB=inside`\n',
  'A=\n"on the next line"\n',
  'A="unterminated\nB=2\n',
  'A="x" junk\nB=2',
  'A: yaml style\nB:no-space\n',
  'export\nFOO=bar\n',
  'A="a\\"b"\nB=1\n',
  "A='abc\\'\nB='\nC=3\n",
  'A=1\r\nB="x\r\ny"\r\nC=3',
  'A=1\rB=2\r',
  '\uFEFFA=1\n',
  'A=1\nA=2\n',
  'weird line without equals\nA=1\n= no key\n',
];

describe('locating entries agrees with dotenv.parse', () => {
  it.each(ODD_FILES.map((text) => [JSON.stringify(text), text]))('%s', (_name, text) => {
    expect(entryValues(text)).toEqual(parse(text));
  });

  it('on 3,000 random files built from awkward lines', () => {
    const pieces = [
      'A=1', 'B="two words"', "C='single'", 'D=`tick`', 'export E=5', 'F="open', 'G=\'open', 'close"', "close'", 'close`',
      '# comment', '# "quoted" comment', '', '   ', 'H=', 'I= # only comment', 'J: colon', 'K="x" junk', 'L=a#b', 'M="a\\"b"',
      'A="dup"', 'N=\\', 'O="\\n"', '"', "'", 'export', 'P = spaced = value', 'Q="#"', 'R=#',
    ];
    const random = seeded(4);
    for (let round = 0; round < 3000; round += 1) {
      const count = 1 + Math.floor(random() * 8);
      let text = '';
      for (let line = 0; line < count; line += 1) text += pick(random, pieces) + pick(random, ['\n', '\r\n', '\n']);
      text += join(random, ['', 'S=last', '# end'], 1);
      expect(entryValues(text), JSON.stringify(text)).toEqual(parse(text));
    }
  });

  it('gives each entry its prefix and inline comment', () => {
    const lines = splitLines('  export A=1   # keep me\nB="x\ny" # two\n');
    expect(locateEntries(lines)).toEqual([
      { key: 'A', startLine: 0, endLine: 0, prefix: '  export ', comment: '   # keep me' },
      { key: 'B', startLine: 1, endLine: 2, prefix: '', comment: ' # two' },
    ]);
  });
});

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function join(random: () => number, pieces: readonly string[], maxParts: number): string {
  return Array.from({ length: Math.floor(random() * (maxParts + 1)) }, () => pick(random, pieces)).join('');
}
