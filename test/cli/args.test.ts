import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/args.js';

describe('--dotenv', () => {
  it.each([
    [['--dotenv', 'app/.env']],
    [['--dotenv=app/.env']],
    // The older spelling, where Node 20 lets it through (nodejs/node#54232 eats it otherwise).
    [['--env-file', 'app/.env']],
  ])('%j names the .env file', (args) => {
    expect(parseCommandArgs('env', args, {}).values['env-file']).toBe('app/.env');
  });

  it('leaves other arguments alone', () => {
    expect(parseCommandArgs('env', ['--state=--dotenv'], {}).values.state).toBe('--dotenv');
  });
});
