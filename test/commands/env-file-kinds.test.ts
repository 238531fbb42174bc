import { spawn, spawnSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { hasPythonDotenv, pythonDotenvValues } from '../helpers/python-dotenv.js';

const TOKEN = 'srv-tok-5f4e3d2c1b0a99887766';
const CLOUD = 'CHROMA_API_KEY=ck-FROM-VAULT\nCHROMA_TENANT=acme\n';

let dir: string;
let envPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'env-kinds-'));
  envPath = join(dir, '.env');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const others = async () => (await readdir(dir)).filter((name) => name !== '.env' && name !== 'config');

describe('a .env that is not a regular file', () => {
  it('a named pipe (a 1Password Environments mount): env set and rollback refuse without reading it, and the pipe stays', async () => {
    expect(spawnSync('mkfifo', [envPath]).status).toBe(0);
    const runs = [
      await runCli(['env', 'set', '--url', 'http://localhost:8000', '--token', TOKEN, '--dotenv', envPath, '--yes']),
      await runCli(['rollback', '--dotenv', envPath, '--yes']),
      await runCli(['rollback', '--dotenv', envPath, '--restore', 'latest', '--yes']),
    ];
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain(`${envPath} is a named pipe (FIFO), not a regular file`);
      expect(run.stderr).toContain('Change the Chroma settings where those values come from');
    }
    expect((await lstat(envPath)).isFIFO()).toBe(true);
    // No copy of its secrets (a backup), no lock left behind.
    expect(await others()).toEqual([]);
  });
});

describe('a .env that begins with a byte-order mark', () => {
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

  it('is written without it, so python-dotenv reads the first key; the backup keeps the original bytes; said in one line', async () => {
    const original = Buffer.concat([BOM, Buffer.from(`CHROMA_HOST=old.example.com\n${CLOUD}`)]);
    await writeFile(envPath, original);
    const run = await runCli(['env', 'set', '--url', 'https://chroma.example.com', '--token', TOKEN, '--dotenv', envPath, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    const written = await readFile(envPath);
    expect(written.subarray(0, 3).equals(BOM)).toBe(false);
    expect(parse(written)).toMatchObject({ CHROMA_HOST: 'chroma.example.com', CHROMA_API_KEY: 'ck-FROM-VAULT' });
    if (hasPythonDotenv) expect(pythonDotenvValues(envPath)).toMatchObject({ CHROMA_HOST: 'chroma.example.com', CHROMA_PORT: '443' });
    const [backup] = await others();
    expect((await readFile(join(dir, backup as string))).equals(original)).toBe(true);
    expect(run.stderr.match(/byte-order mark/g)).toHaveLength(1);
  });

  it('is dropped even when the settings already say so (a Python app would not see the first one)', async () => {
    await writeFile(envPath, Buffer.concat([BOM, Buffer.from('CHROMA_HOST=localhost\nCHROMA_PORT=8000\nCHROMA_SSL=false\n')]));
    const run = await runCli(['env', 'set', '--url', 'localhost:8000', '--dotenv', envPath, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(envPath, 'utf8')).toBe('CHROMA_HOST=localhost\nCHROMA_PORT=8000\nCHROMA_SSL=false\n');
  });
});

describe('rollback of a .env that begins with a byte-order mark', () => {
  it('writes it without the mark and says so', async () => {
    await writeFile(envPath, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`CHROMA_HOST=localhost\n${CLOUD}`)]));
    const run = await runCli(['rollback', '--dotenv', envPath, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(envPath, 'utf8')).toBe(CLOUD);
    expect(run.stderr).toContain('byte-order mark (BOM) goes too');
  });
});

describe('a .env that is a symlink whose target is not there yet', () => {
  it('is written through: the target is created (mode 0600) and the link stays a link', async () => {
    await mkdir(join(dir, 'config'));
    await symlink('config/app.env', envPath);
    const run = await runCli(['env', 'set', '--url', 'http://localhost:8000', '--token', TOKEN, '--dotenv', envPath, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect((await lstat(envPath)).isSymbolicLink()).toBe(true);
    expect(await readlink(envPath)).toBe('config/app.env');
    const target = join(dir, 'config', 'app.env');
    expect(parse(await readFile(target))).toMatchObject({ CHROMA_HOST: 'localhost', CHROMA_AUTH_TOKEN: TOKEN });
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'config'))).toEqual(['app.env']);
  });
});

describe('several runs on one .env', () => {
  it('take turns: each reads what the one before wrote, so every ✓ was true when said', async () => {
    await writeFile(envPath, 'CHROMA_API_KEY=ck-1\nCHROMA_HOST=orig.example.com\n');
    const ports = [18221, 18222, 18223, 18224, 18225, 18226];
    const runs = await Promise.all(ports.map((port) => runCli(['env', 'set', '--url', `http://localhost:${port}`, '--dotenv', envPath, '--yes'])));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    // Six writes in a row: six backups, each a different version (the original and five runs' own).
    const backups = (await others()).filter((name) => name.startsWith('.env.backup-'));
    expect(backups).toHaveLength(6);
    const hosts = await Promise.all(backups.map(async (name) => parse(await readFile(join(dir, name))).CHROMA_PORT ?? 'none'));
    expect(new Set(hosts).size).toBe(6);
    expect(await others()).not.toContain('.env.lock');
  });

  it('a lock left by a process that is gone (kill -9) is taken over', async () => {
    await writeFile(`${envPath}.lock`, `${JSON.stringify({ pid: 2 ** 22 + 12_345, host: hostname(), startedAt: new Date().toISOString(), command: 'env set' })}\n`);
    const run = await runCli(['env', 'set', '--url', 'localhost:8000', '--dotenv', envPath, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(await others()).toEqual([]);
  });

  it('a run that holds it is waited for, then named', async () => {
    const holder = spawn('sleep', ['30']);
    try {
      await writeFile(envPath, CLOUD);
      await writeFile(`${envPath}.lock`, `${JSON.stringify({ pid: holder.pid, host: hostname(), startedAt: new Date().toISOString(), command: 'rollback' })}\n`);
      const run = await runCli(['env', 'set', '--url', 'localhost:8000', '--dotenv', envPath, '--yes']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`.env is in use by chroma-migrate pid ${holder.pid} (rollback)`);
      expect(await readFile(envPath, 'utf8')).toBe(CLOUD);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 20_000);
});

describe('a token for a server on plain http', () => {
  it('to another machine: refused (exit 2) with the fix, nothing written; --insecure writes it; loopback is fine', async () => {
    const refused = await runCli(['env', 'set', '--url', 'http://chroma.example.com:8000', '--token', TOKEN, '--dotenv', envPath, '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('plain http, so your app would send the token in clear text');
    expect(refused.stderr).toContain('--insecure');
    expect(refused.stderr).not.toContain(TOKEN);
    expect(await readdir(dir)).toEqual([]);
    expect((await runCli(['env', 'set', '--url', 'http://127.0.0.1:8000', '--token', TOKEN, '--dotenv', envPath, '--yes'])).code).toBe(0);
    expect((await runCli(['env', 'set', '--url', 'http://chroma.example.com:8000', '--token', TOKEN, '--dotenv', envPath, '--yes', '--insecure'])).code).toBe(0);
    expect(parse(await readFile(envPath))).toMatchObject({ CHROMA_HOST: 'chroma.example.com', CHROMA_AUTH_TOKEN: TOKEN });
  });

  it('already in the file: the app would send that one to the new address, so the same refusal', async () => {
    await writeFile(envPath, `CHROMA_AUTH_TOKEN=${TOKEN}\n`);
    const run = await runCli(['env', 'set', '--url', 'http://10.1.2.3:8000', '--dotenv', envPath, '--yes']);
    expect(run.code).toBe(2);
    expect(await readFile(envPath, 'utf8')).toBe(`CHROMA_AUTH_TOKEN=${TOKEN}\n`);
  });
});

describe("who can read the .env once it holds a token", () => {
  it('0640 (group read, set on purpose) stays 0640, and says the group can read it', async () => {
    await writeFile(envPath, CLOUD);
    await chmod(envPath, 0o640);
    const run = await runCli(['env', 'set', '--url', 'localhost', '--token', TOKEN, '--dotenv', envPath, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect((await stat(envPath)).mode & 0o777).toBe(0o640);
    expect(run.stderr).toContain('its group can read it (mode 0640, as you had set it)');
  });

  it('0644 becomes 0600, saying the group loses read access too', async () => {
    await writeFile(envPath, CLOUD);
    await chmod(envPath, 0o644);
    const run = await runCli(['env', 'set', '--url', 'localhost', '--token', TOKEN, '--dotenv', envPath, '--yes']);
    expect((await stat(envPath)).mode & 0o777).toBe(0o600);
    expect(run.stderr).toContain('Its group can no longer read it either');
  });
});

describe('the lock asks nothing more of the file', () => {
  it('a read-only .env that already says so: nothing to change (exit 0), no lock left', async () => {
    await writeFile(envPath, 'CHROMA_HOST=localhost\nCHROMA_PORT=8000\nCHROMA_SSL=false\n');
    await chmod(envPath, 0o444);
    const run = await runCli(['env', 'set', '--url', 'localhost:8000', '--dotenv', envPath, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('nothing to change');
    expect(await others()).toEqual([]);
  });
});
