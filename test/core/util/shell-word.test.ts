import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellWord } from '../../../src/core/util/format.js';

/** What bash makes of one printed word: the value a user gets by pasting the command. */
const bashWord = (word: string) => execFileSync('bash', ['-c', `printf '%s' ${word}`], { encoding: 'utf8' });

// A C0 control, DEL, a C1 control, a bidi override, a zero-width space, a tag character.
const UNSAFE = ['a\nb', 'x\u001b[31mred', 'tab\there', 'del\u007f', 'c1\u0085', 'bidi\u202egnp.exe', 'zero\u200bwidth', 'tag\u{e0041}'];

describe('a word printed in a command to paste into bash', () => {
  it('keeps everyday words as they are, and single-quotes spaces and quotes', () => {
    expect(shellWord('docs_v2')).toBe('docs_v2');
    expect(shellWord('/tmp/my backups/b.jsonl')).toBe("'/tmp/my backups/b.jsonl'");
    for (const value of ['/tmp/my backups', "it's", 'back\\slash', '$HOME', '`id`', 'ünïcode']) expect(bashWord(shellWord(value))).toBe(value);
  });

  it('prints no control, escape or invisible character, yet gives bash the exact value back', () => {
    for (const value of [...UNSAFE, "both'\nquote\\", '\u0001\u0002']) {
      const word = shellWord(value);
      expect(word).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
      expect(word.startsWith("$'")).toBe(true);
      expect(bashWord(word)).toBe(value);
    }
  });

  it('cannot be made to end its quoting early: a forged second command stays inside the one word', () => {
    const value = "x'\n; rm -rf ~ #";
    const word = shellWord(value);
    expect(execFileSync('bash', ['-c', `printf '<%s>' ${word}`], { encoding: 'utf8' })).toBe(`<${value}>`);
  });
});
