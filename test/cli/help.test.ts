import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { wrapCommand, wrapWords } from '../../src/cli/wrap.js';

const widest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

describe('help that fits the terminal', () => {
  it.each(COMMANDS.map((command) => command.name))('%s --help: every line fits 80 columns, with an Examples section', async (name) => {
    const result = await runCli([name, '--help'], { COLUMNS: '80' });
    expect(result.code).toBe(0);
    expect(widest(result.stdout)).toBeLessThanOrEqual(80);
    expect(result.stdout).toContain('\nExamples:\n  ');
  });

  it.each([60, 100])('every command help fits %i columns', (width) => {
    for (const command of COMMANDS) expect(widest(command.help(width)), command.name).toBeLessThanOrEqual(width);
  });

  it('the command list fits 80 columns too', async () => {
    expect(widest((await runCli(['--help'], { COLUMNS: '80' })).stdout)).toBeLessThanOrEqual(80);
  });

  it('wraps at spaces with a hanging indent, and never cuts a word', () => {
    expect(wrapWords('one two three four', 9, '- ', '  ')).toEqual(['- one two', '  three', '  four']);
    expect(wrapWords('https://a-very-long-address.example.com/x', 10)).toEqual(['https://a-very-long-address.example.com/x']);
    expect(wrapCommand('chroma-migrate import --input b.jsonl.gz --url https://x', 40)).toEqual([
      '  chroma-migrate import --input \\',
      '      b.jsonl.gz --url https://x',
    ]);
  });
});
