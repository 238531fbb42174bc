import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { hasPythonDotenv, pythonDotenvValues } from '../helpers/python-dotenv.js';

const TOKEN = 'srv-tok-5f4e3d2c1b0a99887766';
const OLD_TOKEN = 'old-tok-aaaabbbbccccdddd';
const API_KEY = 'ck-cloud-0123456789abcdef';

const APP_ENV = `# Cloud
CHROMA_API_KEY=${API_KEY}
CHROMA_TENANT=acme
CHROMA_DATABASE=prod
export CHROMA_AUTH_TOKEN="${OLD_TOKEN}"
`;

let dir: string;
let envPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'env-set-'));
  envPath = join(dir, '.env');
});

afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const backups = async () => (await readdir(dir)).filter((name) => name.startsWith('.env.backup-'));

describe('chroma-migrate env set', () => {
  it('writes host, port, ssl and token, keeps the Cloud keys, saves a 0600 backup, and makes the .env 0600 (saying so)', async () => {
    await writeFile(envPath, APP_ENV, { mode: 0o644 });
    await chmod(envPath, 0o644);
    const result = await runCli(['env', 'set', '--url', 'https://chroma.example.com', '--token', TOKEN, '--dotenv', envPath, '--yes']);
    expect(result.code, result.stderr).toBe(0);
    const env = parse(await readFile(envPath));
    expect(env).toMatchObject({ CHROMA_HOST: 'chroma.example.com', CHROMA_PORT: '443', CHROMA_SSL: 'true', CHROMA_AUTH_TOKEN: TOKEN });
    expect(env).toMatchObject({ CHROMA_API_KEY: API_KEY, CHROMA_TENANT: 'acme', CHROMA_DATABASE: 'prod' });
    expect(await readFile(envPath, 'utf8')).toContain(`export CHROMA_AUTH_TOKEN=${TOKEN}\n`);
    // It holds a token now: readable by its owner only.
    expect((await stat(envPath)).mode & 0o777).toBe(0o600);
    expect(result.stderr).toContain('It now holds a token, so only you can read it: its mode went from 0644 to 0600.');
    const [backup] = await backups();
    expect(backup).toMatch(/^\.env\.backup-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
    expect(await readFile(join(dir, backup as string), 'utf8')).toBe(APP_ENV);
    expect((await stat(join(dir, backup as string))).mode & 0o777).toBe(0o600);
  });

  it('never prints a token or API key, old or new, in the diff, notes, --json or errors', async () => {
    await writeFile(envPath, APP_ENV);
    const runs = [
      await runCli(['env', 'set', '--url', 'http://my.up.railway.app:8000/x', '--token', TOKEN, '--dotenv', envPath, '--dry-run']),
      await runCli(['env', 'set', '--url', 'localhost:8000', '--dotenv', envPath, '--yes', '--json'], { CHROMA_AUTH_TOKEN: TOKEN }),
      await runCli(['env', 'set', '--url', 'https://elsewhere.example.com', '--token', `${TOKEN}-new`, '--dotenv', envPath]),
      await runCli(['env', 'set', '--url', 'localhost:8000', '--token', TOKEN, '--token-header', 'nope', '--dotenv', envPath]),
      await runCli(['rollback', '--dotenv', envPath, '--yes', '--json']),
      await runCli(['rollback', '--dotenv', envPath, '--restore', 'latest', '--yes']),
      await runCli(['rollback', '--dotenv', envPath, '--list']),
    ];
    expect(runs.map((run) => run.code)).toEqual([0, 0, 2, 2, 0, 0, 0]);
    for (const run of runs) {
      const output = run.stdout + run.stderr;
      for (const secret of [TOKEN, OLD_TOKEN, API_KEY]) expect(output).not.toContain(secret);
    }
    expect(runs[0]?.stderr).toContain('- CHROMA_AUTH_TOKEN=••••dddd');
    expect(runs[0]?.stderr).toContain('+ CHROMA_AUTH_TOKEN=••••7766');
    expect(runs[0]?.stderr).toMatch(/Railway public domains answer on HTTPS port 443/);
    expect(JSON.parse(runs[1]?.stdout ?? '')).toMatchObject({ path: envPath, changed: ['CHROMA_AUTH_TOKEN', 'CHROMA_HOST', 'CHROMA_PORT', 'CHROMA_SSL'], written: true });
  });

  it('env set and rollback refuse a file that is not a .env (a shell script named by mistake) and leave it as it was', async () => {
    const script = join(dir, 'run.sh');
    const text = '#!/bin/sh\nexport CHROMA_HOST=x\nexec python app.py\n';
    await writeFile(script, text);
    for (const args of [['env', 'set', '--url', 'http://localhost:8000', '--dotenv', script, '--yes'], ['rollback', '--dotenv', script, '--yes']]) {
      const run = await runCli(args);
      expect(run.code, run.stderr).not.toBe(0);
      expect(run.stderr).toContain('is not a .env file (line 3 is not KEY=value, a comment or blank)');
    }
    expect(await readFile(script, 'utf8')).toBe(text);
    expect((await readdir(dir)).filter((name) => name.startsWith('run.sh'))).toEqual(['run.sh']);
  });

  it('takes the token from CHROMA_AUTH_TOKEN, and writes none when there is none', async () => {
    await runCli(['env', 'set', '--url', 'localhost', '--dotenv', envPath, '--yes'], { CHROMA_AUTH_TOKEN: TOKEN });
    expect(parse(await readFile(envPath)).CHROMA_AUTH_TOKEN).toBe(TOKEN);
    const other = join(dir, 'other.env');
    await runCli(['env', 'set', '--url', 'localhost', '--dotenv', other, '--yes'], { CHROMA_AUTH_TOKEN: '' });
    expect(parse(await readFile(other))).toEqual({ CHROMA_HOST: 'localhost', CHROMA_PORT: '8000', CHROMA_SSL: 'false' });
  });

  it("writes a token so that Python apps (python-dotenv) read what Node's dotenv reads", async () => {
    await writeFile(envPath, APP_ENV);
    const tricky = `tok'en"9f8e`;
    const result = await runCli(['env', 'set', '--url', 'localhost', '--token', tricky, '--dotenv', envPath, '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(envPath, 'utf8')).toContain(`export CHROMA_AUTH_TOKEN=${tricky}\n`);
    expect(parse(await readFile(envPath)).CHROMA_AUTH_TOKEN).toBe(tricky);
    if (hasPythonDotenv) expect(pythonDotenvValues(envPath)).toMatchObject({ CHROMA_AUTH_TOKEN: tricky, CHROMA_HOST: 'localhost', CHROMA_API_KEY: API_KEY });
  });

  it('refuses a token python-dotenv would expand, saying why, and writes nothing', async () => {
    await writeFile(envPath, APP_ENV);
    const result = await runCli(['env', 'set', '--url', 'localhost', '--token', "x${HOME}y'z", '--dotenv', envPath, '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/CHROMA_AUTH_TOKEN holds "\$\{…\}", which python-dotenv/);
    expect(result.stderr).not.toContain('HOME}y');
    expect(await readFile(envPath, 'utf8')).toBe(APP_ENV);
    expect(await backups()).toEqual([]);
  });

  it('creates a missing file with mode 0600 and no backup', async () => {
    const result = await runCli(['env', 'set', '--url', 'http://10.0.0.5:9000', '--token-header', 'X-Chroma-Token', '--dotenv', envPath, '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ backup: null, written: true });
    expect(await readFile(envPath, 'utf8')).toBe(
      '# Self-hosted Chroma (chroma-migrate)\nCHROMA_HOST=10.0.0.5\nCHROMA_PORT=9000\nCHROMA_SSL=false\nCHROMA_AUTH_TOKEN_TRANSPORT_HEADER=X-Chroma-Token\n',
    );
    expect((await stat(envPath)).mode & 0o777).toBe(0o600);
    expect(await backups()).toEqual([]);
  });

  it('without a terminal and without --yes: exit 2 naming --yes, nothing written', async () => {
    await writeFile(envPath, APP_ENV);
    const result = await runCli(['env', 'set', '--url', 'localhost', '--token', TOKEN, '--dotenv', envPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes');
    expect(result.stderr).toContain('- CHROMA_AUTH_TOKEN=••••dddd');
    expect(await readFile(envPath, 'utf8')).toBe(APP_ENV);
    expect(await backups()).toEqual([]);
  });

  it('changes nothing (and backs up nothing) when the file already says so', async () => {
    await writeFile(envPath, 'CHROMA_HOST=localhost\nCHROMA_PORT="8000"\nCHROMA_SSL=false\n');
    const result = await runCli(['env', 'set', '--url', 'localhost:8000', '--dotenv', envPath]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/nothing to change/);
    expect(await backups()).toEqual([]);
  });

  it('--dry-run shows the change and writes nothing', async () => {
    await writeFile(envPath, APP_ENV);
    const result = await runCli(['env', 'set', '--url', 'localhost', '--dotenv', envPath, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('+ CHROMA_HOST=localhost');
    expect(result.stderr).toContain('CHROMA_API_KEY, CHROMA_TENANT, CHROMA_DATABASE stay as they are');
    expect(await readFile(envPath, 'utf8')).toBe(APP_ENV);
  });

  it('usage errors exit 2: no subcommand, no --url, a bad --token-header', async () => {
    expect((await runCli(['env'])).code).toBe(2);
    expect(await runCli(['env', 'set'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--url URL') });
    expect(await runCli(['env', 'set', '--url', 'x', '--token-header', 'basic'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--token-header must be one of') });
    expect(await runCli(['env', 'set', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: chroma-migrate env set') });
  });
});

/**
 * Tests run as root here, where permission bits do not stop a write. The engine treats a file or
 * folder with no write bit at all as locked for everyone (root included), so chmod 0444 / 0555
 * cases run everywhere; a path under a regular file fails for root too.
 */
describe('env set where it cannot write: a clear IO error, and the original untouched', () => {
  it('a read-only file (chmod 0444)', async () => {
    await writeFile(envPath, APP_ENV);
    await chmod(envPath, 0o444);
    const result = await runCli(['env', 'set', '--url', 'localhost', '--dotenv', envPath, '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Cannot write ${envPath}: the file is read-only. Nothing was changed.`);
    expect(result.stderr).toContain(`chmod u+w ${envPath}`);
    expect(await readFile(envPath, 'utf8')).toBe(APP_ENV);
    expect(await backups()).toEqual([]);
  });

  it('a read-only folder (chmod 0555)', async () => {
    await writeFile(envPath, APP_ENV);
    await chmod(dir, 0o555);
    const result = await runCli(['env', 'set', '--url', 'localhost', '--dotenv', envPath, '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the folder ${dir} is read-only`);
    expect(result.stderr).toContain(`chmod u+w ${dir}`);
    await chmod(dir, 0o700);
    expect(await readFile(envPath, 'utf8')).toBe(APP_ENV);
    expect(await readdir(dir)).toEqual(['.env']);
  });

  it('a path under a regular file', async () => {
    await writeFile(join(dir, 'not-a-folder'), 'x');
    const result = await runCli(['env', 'set', '--url', 'localhost', '--dotenv', join(dir, 'not-a-folder', '.env'), '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not-a-folder is a file, not a folder/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a folder that does not exist', async () => {
    const result = await runCli(['env', 'set', '--url', 'localhost', '--dotenv', join(dir, 'missing', '.env'), '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the folder ${join(dir, 'missing')} is not there`);
    await mkdir(join(dir, 'unused'));
  });
});

describe('maskSecret', () => {
  it('shows •••• and at most the last 4 characters, never the length', async () => {
    const { maskSecret } = await import('../../src/core/chroma/endpoint.js');
    expect(maskSecret('srv-tok-5f4e3d2c1b0a99887766')).toBe('••••7766');
    expect(maskSecret('short-token')).toBe('••••');
    expect(maskSecret('a')).toBe('••••');
    expect(maskSecret('x'.repeat(100))).not.toMatch(/\d/);
  });
});
