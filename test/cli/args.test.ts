import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/args.js';

describe('--dotenv', () => {
  it.each([
    [['--dotenv', 'app/.env']],
    [['--dotenv=app/.env']],
    // The older spelling, where Node 20 lets it through (nodejs/node#54232 eats it otherwise).
    [['--env-file', 'app/.env']],
  ])('%j names the .env file', (args) => {
    expect(parseFlags('env', args, {})['env-file']).toBe('app/.env');
  });

  it('leaves other arguments alone', () => {
    expect(parseFlags('env', ['--state=--dotenv'], {}).state).toBe('--dotenv');
  });
});

describe('a value that starts with a dash', () => {
  const flags = { 'page-size': { type: 'string', arg: 'N', help: '' }, out: { type: 'string', short: 'o', arg: 'FILE', help: '' }, yes: { type: 'boolean', help: '' } } as const;
  const message = (args: string[]) => {
    try {
      parseFlags('export', args, flags);
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  };

  it('a negative number: the value must be a positive whole number, not "ambiguous"', () => {
    expect(message(['--page-size', '-5'])).toBe('export: --page-size must be a positive whole number; got "-5".');
  });

  it('a flag where the value should be: says so, and how to write a value with a dash', () => {
    expect(message(['-o', '--yes'])).toBe('export: --out needs a value, but "--yes" came next, which reads as a flag (a value that starts with a dash is written --out=VALUE).');
  });
});
