/**
 * Tokens and API keys never appear in output, the state file, error messages, or the argv of the
 * CLI and its children (ps); backups, .env and the state file are created 0600.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { startTestServer } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const TOKEN = 'tok-SECRET-6f1d2c9a8b7e';
const API_KEY = 'ck-APIKEY-0a9b8c7d6e5f4a3b';
const WRONG = 'tok-WRONG-1234567890ab';

let dir = '';
let server: Awaited<ReturnType<typeof startTestServer>>;
let guarded: FaultProxy;
let sourceGuard: FaultProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-secrets-'));
  server = await startTestServer();
  const api = new ChromaApi(endpoint({ url: server.server.url }));
  const info = await api.createCollection({ name: 'secret_source', metadata: null, space: null });
  await api.upsert(info.id, makeRecords(120, { dim: 8, prefix: 's' }), { base64: true });
  guarded = await startFaultProxy(server.server.url, { token: { value: TOKEN, header: 'authorization' } });
  sourceGuard = await startFaultProxy(server.server.url, { token: { value: API_KEY, header: 'authorization' } });
});
afterAll(async () => {
  await guarded?.close();
  await sourceGuard?.close();
  await server?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function expectNoSecret(text: string, where: string): void {
  for (const secret of [TOKEN, API_KEY, WRONG]) {
    expect(text.includes(secret), `${where} holds a secret`).toBe(false);
    // Nor most of it: a mask shows a few characters at most.
    expect(text.includes(secret.slice(4, 16)), `${where} holds part of a secret`).toBe(false);
  }
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('secrets stay secret', () => {
  it('export, import, verify, ping, status: output, errors and the state file never hold the token or the key', async () => {
    const statePath = join(dir, 'state.json');
    const env = { CHROMA_MIGRATE_STATE: statePath };
    const out = join(dir, 'backup.jsonl.gz');
    const runs = [
      await runCli(['export', '--source-url', sourceGuard.url, '--source-token', API_KEY, '--out', out], env),
      await runCli(['import', '--input', out, '--url', guarded.url, '--token', TOKEN, '--as', 'secret_copy', '--if-exists', 'abort'], env),
      await runCli(['verify', '--input', out, '--url', guarded.url, '--as', 'secret_copy'], { ...env, CHROMA_AUTH_TOKEN: TOKEN }),
      await runCli(['ping', '--url', guarded.url, '--token', TOKEN], env),
      await runCli(['status'], env),
      await runCli(['import', '--input', out, '--url', guarded.url, '--token', TOKEN, '--as', 'secret_copy', '--json', '--if-exists', 'append'], env),
    ];
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0, 0, 0]);
    // And when things go wrong: a wrong token, a wrong key, a Cloud key to an unreachable host.
    const failures = [
      await runCli(['import', '--input', out, '--url', guarded.url, '--token', WRONG, '--as', 'secret_copy', '--if-exists', 'append'], env),
      await runCli(['export', '--source-url', sourceGuard.url, '--source-token', WRONG, '--out', join(dir, 'x.jsonl')], env),
      await runCli(['ping', '--url', guarded.url, '--token', WRONG], env),
      await runCli(['export', '--out', join(dir, 'cloud.jsonl'), '--tenant', 't', '--database', 'd'], { ...env, CHROMA_API_KEY: API_KEY, CHROMA_CLOUD_HOST: '127.0.0.1' }),
    ];
    expect(failures.map((run) => run.code)).toEqual([1, 1, 1, 1]);
    for (const [index, run] of [...runs, ...failures].entries()) expectNoSecret(run.stdout + run.stderr, `run ${index}`);
    expectNoSecret(await readFile(statePath, 'utf8'), 'the state file');
    // The backup records where it came from, never with what key.
    const { gunzipSync } = await import('node:zlib');
    expectNoSecret(gunzipSync(await readFile(out)).toString('utf8').slice(0, 4096), 'the backup header');
    expect(await mode(statePath)).toBe(0o600);
    expect(await mode(out)).toBe(0o600);
  }, 60_000);

  it("a key in the source URL's query is never saved in the state or printed by status or a hint", async () => {
    const statePath = join(dir, 'state-query.json');
    const env = { CHROMA_MIGRATE_STATE: statePath };
    const url = `${server.server.url}/?token=URL-SECRET-4&api-version=2024-10`;
    const run = await runCli(['export', '--source-url', url, '--collections', 'secret_source', '--out', join(dir, 'query.jsonl.gz')], env);
    expect(run.code, run.stderr).toBe(0);
    const state = await readFile(statePath, 'utf8');
    expect(state).toContain('?token=…&api-version=…');
    const status = await runCli(['status'], env);
    for (const text of [run.stdout + run.stderr, state, status.stdout + status.stderr]) expect(text).not.toMatch(/URL-SECRET-4|2024-10/);
  }, 60_000);

  it('a token given in the environment never reaches the argv of the CLI or any child (ps)', async () => {
    const input = join(dir, 'ps.json');
    await writePythonRowsJson(input, 'ps_check', makeRecords(300, { dim: 8 }), { metadata: { 'hnsw:space': 'l2' } });
    guarded.setRules({ token: { value: TOKEN, header: 'authorization' }, delayMs: 100, faultPaths: /\/upsert$/ });
    const child = spawnCli(['import', '--input', input, '--url', guarded.url, '--batch', '10', '--concurrency', '1', '--if-exists', 'abort'], {
      env: { CHROMA_MIGRATE_STATE: join(dir, 'state-ps.json'), CHROMA_AUTH_TOKEN: TOKEN },
    });
    // Read every process's command line while it runs (what ps shows), a few times.
    const seen: string[] = [];
    for (let i = 0; i < 10 && child.exitCode === null; i++) {
      for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
        try {
          seen.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
        } catch {
          // gone meanwhile
        }
      }
      await new Promise((wait) => setTimeout(wait, 100));
    }
    await exitOf(child);
    guarded.setRules({ token: { value: TOKEN, header: 'authorization' } });
    expect(seen.some((line) => line.includes('ps.json'))).toBe(true);
    expect(await exitOf(child)).toBe(0);
    expectNoSecret(seen.join('\n'), 'ps');
    expectNoSecret(child.output(), 'the output');
  }, 60_000);

  it('a server (or proxy) that echoes the token in its error answer, in any spelling: no message quotes it; control characters in an answer are escaped', async () => {
    const { createServer } = await import('node:http');
    // Each request gets the next status and the next spelling of the credentials it carried.
    const statuses = [400, 500, 404, 429, 200];
    const spellings: Array<(token: string) => string> = [
      (token) => `Invalid token: ${token}`,
      (token) => JSON.stringify({ error: `Invalid token: ${token}` }).replace(/\//g, '\\/'),
      (token) => JSON.stringify({ error: [...`Invalid token: ${token}`].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('') }).replace(/\\\\u/g, '\\u'),
      (token) => `Invalid token: ${token.slice(0, 11)}\n${token.slice(11)}`,
      (token) => `Invalid token: ${encodeURIComponent(token).toLowerCase()}`,
      (token) => `Invalid token: ${token.slice(0, -3)}`,
      (token) => `Invalid token: ${token.replace(/-/g, '&#45;')}`,
      (token) => `INVALID TOKEN: ${token.toUpperCase()}`,
    ];
    let turn = 0;
    const echo = createServer((request, response) => {
      const status = statuses[turn % statuses.length]!;
      const spell = spellings[turn++ % spellings.length]!;
      const sent = String(request.headers.authorization ?? request.headers['x-chroma-token'] ?? '');
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(spell(sent.replace(/^Bearer /, '')));
    });
    await new Promise<void>((listening) => echo.listen(0, '127.0.0.1', listening));
    const url = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
    try {
      const env = { CHROMA_MIGRATE_STATE: join(dir, 'echo-state.json') };
      const runs = [];
      for (let round = 0; round < spellings.length; round++) {
        runs.push(await runCli(['ping', '--url', url, '--token', TOKEN], env));
        runs.push(await runCli(['export', '--source-url', url, '--out', join(dir, 'echo.jsonl')], { ...env, CHROMA_SOURCE_TOKEN: TOKEN }));
      }
      for (const [index, run] of runs.entries()) {
        expect(run.code, run.stderr).not.toBe(0);
        expectNoSecret(run.stdout + run.stderr, `echoed run ${index}`);
        expect(run.stdout + run.stderr, `echoed run ${index}`).not.toMatch(/6f1d2c9a|6F1D2C9A|SECRET-6/i);
      }
      expect(runs.some((run) => (run.stdout + run.stderr).includes("not shown: the answer quotes the request's credentials"))).toBe(true);
    } finally {
      echo.close();
    }
  }, 120_000);

  it('an error answer holding escape codes or line breaks reaches the terminal escaped, so it cannot fake a line', async () => {
    const { createServer } = await import('node:http');
    const echo = createServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('oops\u001b[2K\r\u202e✓ alpha: 500 of 500 records verified\n✓ Done');
    });
    await new Promise<void>((listening) => echo.listen(0, '127.0.0.1', listening));
    const url = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
    try {
      const run = await runCli(['ping', '--url', url], { CHROMA_MIGRATE_STATE: join(dir, 'esc-state.json') });
      expect(run.code).not.toBe(0);
      const output = run.stdout + run.stderr;
      expect(output).not.toContain('\u001b');
      expect(output).not.toContain('\u202e');
      expect(output.split('\n').some((line) => line.startsWith('✓ alpha'))).toBe(false);
    } finally {
      echo.close();
    }
  }, 60_000);

  it('a user name and password in --url are never saved nor printed', async () => {
    const statePath = join(dir, 'userinfo-state.json');
    const password = 'URLPASS-7c1e9d0b2a';
    const run = await runCli(['import', '--input', join(dir, 'nowhere.jsonl'), '--url', `http://admin:${password}@127.0.0.1:9`, '--yes'], { CHROMA_MIGRATE_STATE: statePath });
    expect(run.code).not.toBe(0);
    const everything = run.stdout + run.stderr + (await readFile(statePath, 'utf8').catch(() => ''));
    expect(everything).not.toContain(password);
    expect(everything).not.toContain('admin:');
  }, 60_000);

  it('.env is created 0600 and the token in it is masked on screen', async () => {
    const envFile = join(dir, 'app', '.env');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'app')));
    const run = await runCli(['env', 'set', '--url', 'https://chroma.example.com', '--token', TOKEN, '--dotenv', envFile, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(await mode(envFile)).toBe(0o600);
    expect(await readFile(envFile, 'utf8')).toContain(`CHROMA_AUTH_TOKEN=${TOKEN}`);
    expectNoSecret(run.stdout + run.stderr, 'env set output');
  });
});
