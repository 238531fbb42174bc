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
