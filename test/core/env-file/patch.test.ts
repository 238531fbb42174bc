import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { BLOCK_HEADER, patchEnv, planEnvPatch } from '../../../src/core/env-file/patch.js';
import { SELF_HOSTED_KEYS } from '../../../src/core/env-file/chroma-keys.js';
import { pythonDotenvValue } from '../../../src/core/env-file/python-dotenv.js';

const SELF_HOSTED = { CHROMA_HOST: 'chroma.up.railway.app', CHROMA_PORT: '443', CHROMA_SSL: 'true' };
const ROLLBACK = { set: {}, remove: [...SELF_HOSTED_KEYS] };

const APP_ENV = `# My app
# Chroma Cloud (the fallback)
CHROMA_API_KEY='ck-1234567890abcdef'
export CHROMA_TENANT="my tenant"
CHROMA_DATABASE=prod

OPENAI_API_KEY=sk-abc # for embeddings
PRIVATE_KEY="-----BEGIN KEY-----
MIIBOgIBAAJBAK
-----END KEY-----"
GREETING='hello "world"'
`;

describe('patchEnv keeps the file as it was, apart from the keys it is asked to change', () => {
  it('appends new keys under a header, every other byte untouched', () => {
    const text = patchEnv(APP_ENV, { set: SELF_HOSTED });
    expect(text).toBe(`${APP_ENV}\n${BLOCK_HEADER}\nCHROMA_HOST=chroma.up.railway.app\nCHROMA_PORT=443\nCHROMA_SSL=true\n`);
    expect(parse(text)).toEqual({ ...parse(APP_ENV), ...SELF_HOSTED });
  });

  it('replaces keys in place, keeping their export prefix and inline comment', () => {
    const before = 'A=1\nexport CHROMA_HOST=localhost   # local dev\nB=2\nCHROMA_PORT: 8000\nC=3\n';
    expect(patchEnv(before, { set: { CHROMA_HOST: 'h.example.com', CHROMA_PORT: '443' } })).toBe(
      'A=1\nexport CHROMA_HOST=h.example.com   # local dev\nB=2\nCHROMA_PORT=443\nC=3\n',
    );
  });

  it('keeps a comment glued to the old value a comment for python-dotenv too', () => {
    const text = patchEnv('KEY=old#why\n', { set: { KEY: 'new' } });
    expect(text).toBe('KEY=new #why\n');
    expect(pythonDotenvValue('new #why')).toBe('new');
    expect(pythonDotenvValue('new#why')).toBe('new#why');
  });

  it('replaces a multi-line value as one entry', () => {
    const before = 'A=1\nCHROMA_AUTH_TOKEN="line one\nCHROMA_HOST=not-a-key\nline three"\nB=2\n';
    const text = patchEnv(before, { set: { CHROMA_AUTH_TOKEN: 'tok-123' } });
    expect(text).toBe('A=1\nCHROMA_AUTH_TOKEN=tok-123\nB=2\n');
  });

  it('keeps CRLF line ends, and writes new lines with CRLF', () => {
    const before = '# cloud\r\nCHROMA_API_KEY=ck\r\nCHROMA_HOST=old\r\n';
    const text = patchEnv(before, { set: SELF_HOSTED });
    expect(text).toBe(`# cloud\r\nCHROMA_API_KEY=ck\r\nCHROMA_HOST=chroma.up.railway.app\r\n\r\n${BLOCK_HEADER}\r\nCHROMA_PORT=443\r\nCHROMA_SSL=true\r\n`);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('keeps a missing final newline missing', () => {
    expect(patchEnv('A=1\nCHROMA_HOST=old', { set: { CHROMA_HOST: 'new' } })).toBe('A=1\nCHROMA_HOST=new');
    expect(patchEnv('A=1', { set: { CHROMA_HOST: 'new' } })).toBe(`A=1\n\n${BLOCK_HEADER}\nCHROMA_HOST=new`);
    expect(patchEnv('A=1\r\nCHROMA_HOST=old', { set: {}, remove: ['CHROMA_HOST'] })).toBe('A=1');
  });

  it('writes an empty (or missing) file from scratch', () => {
    expect(patchEnv('', { set: SELF_HOSTED })).toBe(`${BLOCK_HEADER}\nCHROMA_HOST=chroma.up.railway.app\nCHROMA_PORT=443\nCHROMA_SSL=true\n`);
    expect(patchEnv('', ROLLBACK)).toBe('');
  });

  it('leaves a key that already reads right exactly as written, quotes and all', () => {
    const before = "CHROMA_HOST='chroma.up.railway.app'\nCHROMA_PORT=\"443\"\nCHROMA_SSL=true\n";
    expect(planEnvPatch(before, { set: SELF_HOSTED })).toEqual({ text: before, changes: [] });
  });

  it('neutralises a later duplicate (dotenv lets the last one win) by commenting it out', () => {
    const text = patchEnv('CHROMA_HOST=a\nB=1\nCHROMA_HOST=b\n', { set: { CHROMA_HOST: 'c' } });
    expect(text).toBe('CHROMA_HOST=c\nB=1\n# CHROMA_HOST=b\n');
    expect(parse(text).CHROMA_HOST).toBe('c');
  });

  it('removes every occurrence of a key, multi-line ones whole', () => {
    const before = 'A=1\nCHROMA_HOST="x\ny"\nB=2\nexport CHROMA_HOST=z # again\n';
    expect(patchEnv(before, { set: {}, remove: ['CHROMA_HOST'] })).toBe('A=1\nB=2\n');
  });

  it('comments keys out line by line, so a multi-line value stays readable and inert', () => {
    const before = 'A=1\nCHROMA_AUTH_TOKEN="x\ny"\nCHROMA_HOST=h # note\n';
    const text = patchEnv(before, { set: {}, comment: ['CHROMA_AUTH_TOKEN', 'CHROMA_HOST'] });
    expect(text).toBe('A=1\n# CHROMA_AUTH_TOKEN="x\n# y"\n# CHROMA_HOST=h # note\n');
    expect(parse(text)).toEqual({ A: '1' });
  });

  it.each([
    ['LF with final newline', APP_ENV],
    ['CRLF', APP_ENV.replace(/\n/g, '\r\n')],
    ['no final newline', APP_ENV.trimEnd()],
    ['ending in a blank line', `${APP_ENV}\n`],
    ['empty', ''],
  ])('env set then rollback gives back the original bytes (%s)', (_name, original) => {
    const set = patchEnv(original, { set: { ...SELF_HOSTED, CHROMA_AUTH_TOKEN: 'tok "with" spaces' } });
    expect(patchEnv(set, ROLLBACK)).toBe(original);
  });

  it('reuses its own block on the next run, after a rollback that commented the keys out', () => {
    const once = patchEnv('A=1\n', { set: SELF_HOSTED });
    const commented = patchEnv(once, { set: {}, comment: [...SELF_HOSTED_KEYS] });
    const again = patchEnv(commented, { set: { CHROMA_HOST: 'other.example.com' } });
    expect(again).toBe(
      `A=1\n\n${BLOCK_HEADER}\n# CHROMA_HOST=chroma.up.railway.app\n# CHROMA_PORT=443\n# CHROMA_SSL=true\nCHROMA_HOST=other.example.com\n`,
    );
  });

  it('reports what changed as dotenv reads it', () => {
    const { changes } = planEnvPatch('CHROMA_HOST=a\nCHROMA_PORT=443\n', { set: { CHROMA_HOST: 'b', CHROMA_PORT: '443', CHROMA_SSL: 'true' } });
    expect(changes).toEqual([
      { key: 'CHROMA_HOST', before: 'a', after: 'b' },
      { key: 'CHROMA_SSL', before: undefined, after: 'true' },
    ]);
  });

  it('refuses a file it cannot patch without changing another key, instead of writing it', () => {
    // A's quote never closes, so dotenv reads it bare; the new value's `" #` would close it.
    const before = 'A="open\nCHROMA_HOST=x\n';
    expect(() => patchEnv(before, { set: { CHROMA_HOST: 'x" # y' } })).toThrow(/cannot edit safely: after the change, A, CHROMA_HOST/);
  });

  it('rejects a key dotenv cannot read and a key both set and removed', () => {
    expect(() => patchEnv('', { set: { 'BAD KEY': 'x' } })).toThrow(/not a variable name/);
    expect(() => patchEnv('', { set: { A: '1' }, remove: ['A'] })).toThrow(/both set and removed/);
  });
});

describe('on random files', () => {
  const LINES = [
    '# comment', '', 'export A=1', 'B="two words"', "C='it''s'", 'D="multi', 'line"', 'E=`tick`', 'F=x # note', 'G:colon',
    'CHROMA_API_KEY=ck-1', 'OTHER="a\\nb"', '  H = spaced  ', 'I=', '"', 'J="#"',
  ];

  it('env set then rollback gives back the exact bytes, or refuses without writing', () => {
    let state = 7;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let refused = 0;
    for (let round = 0; round < 2000; round += 1) {
      const eol = random() < 0.3 ? '\r\n' : '\n';
      const count = Math.floor(random() * 7);
      const lines = Array.from({ length: count }, () => LINES[Math.floor(random() * LINES.length)] as string);
      const original = lines.join(eol) + (random() < 0.7 && count > 0 ? eol : '');
      let set: string;
      try {
        set = patchEnv(original, { set: { ...SELF_HOSTED, CHROMA_AUTH_TOKEN: "t'o\"k en" } });
      } catch {
        refused += 1;
        continue;
      }
      expect({ ...parse(set) }, JSON.stringify(original)).toEqual({ ...parse(original), ...SELF_HOSTED, CHROMA_AUTH_TOKEN: "t'o\"k en" });
      expect(patchEnv(set, ROLLBACK), JSON.stringify(original)).toBe(original);
    }
    expect(refused).toBeLessThan(100);
  });
});

describe('a key both set and removed', () => {
  it('is refused, the key named in quotes', () => {
    expect(() => patchEnv('A=1\n', { set: { A: '2' }, remove: ['A'] })).toThrow(/^"A" is both set and removed in one change\.$/);
  });
});
