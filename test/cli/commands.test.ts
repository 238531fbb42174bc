import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { COMMANDS } from '../../src/cli/commands.js';

describe('the command line', () => {
  it('without a terminal, no arguments says the wizard needs one and lists the subcommands (exit 2)', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('The interactive wizard needs a terminal');
    for (const command of COMMANDS) expect(result.stdout).toContain(command.name);
  });

  it('lists every command with --help', async () => {
    for (const args of [['--help'], ['help']]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      for (const command of COMMANDS) expect(result.stdout).toContain(command.name);
    }
  });

  it.each(COMMANDS.map((command) => command.name))('%s --help prints its usage and exits 0', async (name) => {
    const result = await runCli([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: chroma-migrate ${name}`);
  });

  it('an unknown command or option is a usage error (exit 2) with a pointer to help', async () => {
    const unknown = await runCli(['exprot']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "exprot"');
    const option = await runCli(['import', '--inptu', 'x']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option '--inptu'/);
    expect(option.stderr).toContain('chroma-migrate import --help');
  });

  it('missing required flags say which flag, exit 2', async () => {
    expect(await runCli(['import'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--input FILE') });
    expect(await runCli(['export'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--out FILE') });
    expect(await runCli(['verify'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--input FILE') });
    expect(await runCli(['import', '--input', 'x', '--batch', 'ten'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--batch takes a whole number') });
  });

  it('a backup file that does not exist is a clear error, exit 1, no stack trace', async () => {
    const result = await runCli(['import', '--input', '/nonexistent/backup.jsonl', '--url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/backup\.jsonl/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('status prints the seven steps without a terminal', async () => {
    const result = await runCli(['status'], { CHROMA_MIGRATE_STATE: '/nonexistent-dir/state.json' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Migration Status');
    expect(result.stdout).toContain('1. Export from Chroma Cloud  ← you are here');
    expect(result.stdout).toContain('7. Complete ingestion');
  });
});

describe('tokens never travel in clear text to another machine', () => {
  it('refuses a token over http:// to a non-loopback host unless --insecure', async () => {
    const refused = await runCli(['ping', '--url', 'http://chroma.internal.example:8000', '--token', 'secret-token-123456']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Refusing to send the token');
    expect(refused.stderr).toContain('--insecure');
    expect(refused.stdout + refused.stderr).not.toContain('secret-token-123456');
  });
});

describe('a server that is not there', () => {
  it('a command that keeps checkpoints says that running it again continues; ping does not', async () => {
    const port = await freePort(); // nothing listens there
    const dir = await mkdtemp(join(tmpdir(), 'cm-refused-'));
    try {
      const exported = await runCli(['export', '--all', '--source-url', `http://127.0.0.1:${port}`, '--out', join(dir, 'b.jsonl'), '--state', join(dir, 'state.json')]);
      expect(exported.code).toBe(1);
      expect(exported.stderr).toContain('connection refused');
      expect(exported.stderr).toContain('Then run the same command again: it continues where it stopped.');
      expect(exported.stderr).toContain(`--source-url http://127.0.0.1:${port}`);
      const pinged = await runCli(['ping', '--url', `http://127.0.0.1:${port}`]);
      expect(pinged.code).toBe(1);
      expect(pinged.stdout + pinged.stderr).toContain('connection refused');
      expect(pinged.stdout + pinged.stderr).not.toContain('same command again');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('mistakes on the command line', () => {
  it('a misspelt command gets "did you mean", then a short usage, not the whole help', async () => {
    const result = await runCli(['improt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Did you mean import?');
    expect(result.stderr).toContain('Usage: chroma-migrate <command>');
    expect(result.stderr).not.toContain('A typical migration');
    expect(result.stdout).toBe('');
  });

  it('a misspelt flag gets "did you mean" and the command\'s usage line', async () => {
    const result = await runCli(['import', '--inptu', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Did you mean --input?");
    expect(result.stderr).toContain('Usage: chroma-migrate import --input FILE');
    expect(result.stderr).not.toContain('Options:');
  });

  it('a missing required flag without a terminal names it (exit 2, from the error code)', async () => {
    const result = await runCli(['copy', '--all']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('copy needs --out FILE');
  });

  it('--json prints a result object for failures too', async () => {
    const result = await runCli(['import', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE', message: expect.stringContaining('--input FILE') } });
  });

  it('an explicit --dotenv or --state that is not there is an error, not a quiet default', async () => {
    const dotenv = await runCli(['ping', '--dotenv', '/nope.env']);
    expect(dotenv.code).toBe(2);
    expect(dotenv.stderr).toContain('There is no /nope.env (--dotenv)');
    const state = await runCli(['status', '--state', '/nonexistent-dir/state.json']);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('There is no migration state');
  });
});
