/**
 * Bad input at the CLI: each gets one clear message (no stack trace), exit 1 or 2, and nothing
 * is written to the target. The readers' own tests (test/core/backup/broken.test.ts) go into each
 * kind in depth; here is one case per kind, end to end, against a REAL Chroma server.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupWriter } from '../../src/core/backup/jsonl/writer.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { startTestServer } from '../helpers/chroma.js';
import { CLI_ENTRY, runCli, type CliRun } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

let dir = '';
let target: Awaited<ReturnType<typeof startTestServer>>;
let api: ChromaApi;
let notChroma: http.Server;
let notChromaUrl = '';
let guarded: FaultProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-bad-input-'));
  target = await startTestServer();
  api = new ChromaApi(endpoint({ url: target.server.url }));
  // A collection already on the target, with 8-d embeddings, for the dimension case.
  const info = await api.createCollection({ name: 'existing_8d', metadata: null, space: null });
  await api.upsert(info.id, makeRecords(10, { dim: 8, prefix: 'old' }), { base64: true });
  notChroma = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>Welcome to nginx!</body></html>');
  });
  await new Promise<void>((resolve) => notChroma.listen(0, '127.0.0.1', resolve));
  notChromaUrl = `http://127.0.0.1:${(notChroma.address() as AddressInfo).port}`;
  guarded = await startFaultProxy(target.server.url, { token: { value: 'right-token-123456', header: 'authorization' } });
});
afterAll(async () => {
  await guarded?.close();
  await new Promise((resolve) => notChroma?.close(resolve));
  await target?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** Every collection on the target with its count: must be the same after a refused run. */
async function snapshot(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const info of await api.allCollections()) out[info.name] = await api.count(info.id);
  return out;
}

const log: string[] = [];
afterAll(() => console.log(`bad input:\n${log.join('\n')}`));

/** One clear paragraph: a ✗ line, maybe a → fix line, no stack trace, exit 1 or 2. */
function expectClearFailure(run: CliRun, label: string, message: RegExp): void {
  const text = run.stderr + run.stdout;
  const lines = run.stderr.trim().split('\n');
  const at = lines.findIndex((line) => line.startsWith('✗ '));
  log.push(`${label} | exit ${run.code} | ${lines.slice(at).join(' ')}`);
  expect([1, 2], text).toContain(run.code);
  expect(text).toMatch(message);
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toMatch(/Unexpected error|bug in chroma-migrate/);
  // The paragraph: one ✗ line saying what, at most one → line saying the fix, nothing after.
  expect(at, run.stderr).toBeGreaterThanOrEqual(0);
  expect(lines.filter((line) => line.startsWith('✗ '))).toHaveLength(1);
  expect(lines.slice(at + 1).every((line) => line.startsWith('  → '))).toBe(true);
  expect(lines.length - at).toBeLessThanOrEqual(2);
}

async function importFails(label: string, input: string, message: RegExp, extra: string[] = []): Promise<void> {
  const before = await snapshot();
  const run = await runCli(['import', '--input', input, '--url', target.server.url, '--if-exists', 'append', ...extra], {
    CHROMA_MIGRATE_STATE: join(dir, `state-${label.replace(/\W+/g, '-')}.json`),
  });
  expectClearFailure(run, label, message);
  expect(await snapshot()).toEqual(before);
}

function rowsJson(records: unknown[], name = 'bad_input'): string {
  return JSON.stringify({ collection_name: name, export_date: '2025-06-01T12:00:00', collection_metadata: null, records });
}

async function ownBackup(path: string, records: BackupRecord[], name = 'own_docs'): Promise<void> {
  const writer = await BackupWriter.open(path, { source: { test: true } });
  await writer.writeCollectionHeader({ name, metadata: null, space: 'l2', count: records.length, dimension: 8 });
  await writer.writeRecords(records);
  await writer.writeCollectionEnd(name, records.length);
  await writer.finish();
}

describe('broken backups are refused before anything is sent', () => {
  it('malformed JSON', async () => {
    const path = join(dir, 'malformed.json');
    await writeFile(path, '{"collection_name": "x", "records": [{"id": "a", "embedding": [0.1, 0.2}]}');
    await importFails('malformed JSON', path, /malformed\.json.*(byte|line)/i);
  });

  it('a Python export cut mid-record', async () => {
    const path = join(dir, 'cut.json');
    await writePythonRowsJson(path, 'cut', makeRecords(50, { dim: 8 }), { metadata: { 'hnsw:space': 'l2' } });
    const size = (await readFile(path)).length;
    await truncate(path, Math.floor(size * 0.6));
    await importFails('Python export cut mid-record', path, /cut\.json.*(truncated|cut off|end of file|ends)/i);
  });

  it('our format with the collection trailer missing (mid-file), and a gzip cut short', async () => {
    const path = join(dir, 'no-trailer.jsonl');
    await ownBackup(path, makeRecords(30, { dim: 8 }));
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, lines.slice(0, 20).join('\n') + '\n');
    await importFails('own format, trailer missing', path, /no-trailer\.jsonl line 21: .*truncated/);

    const gz = join(dir, 'cut.jsonl.gz');
    await ownBackup(gz, makeRecords(300, { dim: 8 }));
    const bytes = await readFile(gz);
    await writeFile(gz, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await importFails('gzip cut in half', gz, /cut\.jsonl\.gz.*(truncated|cut|end)/i);
  });

  it('wrong types in a record', async () => {
    const path = join(dir, 'types.json');
    await writeFile(path, rowsJson([{ id: 'a', document: 'x', metadata: null, embedding: [0.1, 0.2] }, { id: 'b', document: 7, metadata: null, embedding: 'oops' }]));
    await importFails('wrong types', path, /types\.json.*(document|embedding)/i);
  });

  it('duplicate ids', async () => {
    const path = join(dir, 'dup.json');
    await writeFile(path, rowsJson([{ id: 'same', document: 'x', metadata: null, embedding: [0.1, 0.2] }, { id: 'same', document: 'y', metadata: null, embedding: [0.3, 0.4] }]));
    await importFails('duplicate ids', path, /"same"/);
  });

  it('embeddings of mixed dimensions', async () => {
    const path = join(dir, 'mixed.json');
    await writeFile(path, rowsJson([{ id: 'a', document: 'x', metadata: null, embedding: [0.1, 0.2] }, { id: 'b', document: 'y', metadata: null, embedding: [0.3, 0.4, 0.5] }]));
    await importFails('mixed dimensions', path, /dimension|"b"/i);
  });

  it('non-UTF-8 bytes', async () => {
    const path = join(dir, 'latin1.json');
    const text = rowsJson([{ id: 'a', document: 'caf__', metadata: null, embedding: [0.1, 0.2] }]);
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf('__');
    bytes[at] = 0xe9; // "é" in Latin-1: not valid UTF-8 on its own
    bytes[at + 1] = 0xff;
    await writeFile(path, bytes);
    await importFails('non-UTF-8 bytes', path, /UTF-8/i);
  });

  it('a dimension different from the target collection', async () => {
    const path = join(dir, 'dim16.json');
    await writePythonRowsJson(path, 'existing_8d', makeRecords(20, { dim: 16, prefix: 'new' }), { metadata: { 'hnsw:space': 'l2' } });
    await importFails('dimension differs from the target collection', path, /8-dimensional.*16-dimensional/);
  });
});

describe('edge cases that are not errors', () => {
  it('an empty collection is created empty and the run succeeds', async () => {
    const path = join(dir, 'empty.json');
    await writeFile(path, rowsJson([], 'empty_one'));
    const run = await runCli(['import', '--input', path, '--url', target.server.url, '--if-exists', 'abort', '--space', 'l2'], { CHROMA_MIGRATE_STATE: join(dir, 'state-empty.json') });
    log.push(`empty collection | exit ${run.code} | ${run.stderr.trim().split('\n').at(-1)}`);
    expect(run.code, run.stderr).toBe(0);
    expect((await snapshot()).empty_one).toBe(0);
  });

  it("Cloud's per-record limits (id > 128 B, document > 16 KiB, 33 metadata keys) do not apply to a self-hosted target", async () => {
    // Those are Chroma Cloud quotas; a self-hosted server has no such limits, and records that
    // came out of Cloud never break them. So the import sends them as they are and verifies.
    const path = join(dir, 'big.json');
    const metadata: Record<string, number> = {};
    for (let k = 0; k < 33; k++) metadata[`key_${k}`] = k;
    await writeFile(
      path,
      rowsJson(
        [
          { id: 'x'.repeat(200), document: 'short', metadata: null, embedding: [0.1, 0.2] },
          { id: 'long-doc', document: 'é'.repeat(10_000), metadata: null, embedding: [0.3, 0.4] },
          { id: 'many-keys', document: 'k', metadata, embedding: [0.5, 0.6] },
        ],
        'beyond_cloud_limits',
      ),
    );
    const state = { CHROMA_MIGRATE_STATE: join(dir, 'state-big.json') };
    const run = await runCli(['import', '--input', path, '--url', target.server.url, '--if-exists', 'abort', '--space', 'l2'], state);
    log.push(`id 200 B, document 20 KB, 33 metadata keys (self-hosted) | exit ${run.code} | ${run.stderr.trim().split('\n').at(-1)}`);
    expect(run.code, run.stderr).toBe(0);
    const verify = await runCli(['verify', '--input', path, '--url', target.server.url], state);
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);
  });

  it('the same import again after it finished is a no-op success, not "already exists" (--if-exists abort)', async () => {
    const path = join(dir, 'again.json');
    await writePythonRowsJson(path, 'run_twice', makeRecords(60, { dim: 8 }), { metadata: { 'hnsw:space': 'l2' } });
    const args = ['import', '--input', path, '--url', target.server.url, '--if-exists', 'abort'];
    const state = { CHROMA_MIGRATE_STATE: join(dir, 'state-twice.json') };
    expect((await runCli(args, state)).code).toBe(0);
    const again = await runCli(args, state);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('run_twice: 60 of 60 records (resumed from 60)');
    // Another backup for the same collection still stops: that is a real conflict.
    const other = join(dir, 'again-other.json');
    await writePythonRowsJson(other, 'run_twice', makeRecords(60, { dim: 8, prefix: 'other' }), { metadata: { 'hnsw:space': 'l2' } });
    expect((await runCli(['import', '--input', other, '--url', target.server.url, '--if-exists', 'abort'], state)).code).toBe(1);
  });
});

describe('wrong places and wrong keys', () => {
  it('a URL that is not Chroma', async () => {
    const path = join(dir, 'ok.json');
    await writePythonRowsJson(path, 'never_arrives', makeRecords(5, { dim: 8 }), { metadata: { 'hnsw:space': 'l2' } });
    const run = await runCli(['import', '--input', path, '--url', notChromaUrl, '--if-exists', 'abort'], { CHROMA_MIGRATE_STATE: join(dir, 'state-nc.json') });
    expectClearFailure(run, 'a URL that is not Chroma (import)', /is not a Chroma server \(something else answered/i);
    // ping prints its checklist (✓/✗ per step, → fix) and one closing line.
    const ping = await runCli(['ping', '--url', notChromaUrl]);
    const failed = ping.stdout.split('\n').filter((line) => line.startsWith('✗ '));
    log.push(`a URL that is not Chroma (ping) | exit ${ping.code} | ${failed.join(' ')}`);
    expect(ping.code).toBe(1);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.join('\n')).toMatch(/Chroma/);
    expect(ping.stderr + ping.stdout).not.toMatch(/\n\s+at /);
  });

  it('a wrong token', async () => {
    const path = join(dir, 'ok-token.json');
    await writePythonRowsJson(path, 'token_target', makeRecords(5, { dim: 8 }), { metadata: { 'hnsw:space': 'l2' } });
    const before = await snapshot();
    const run = await runCli(['import', '--input', path, '--url', guarded.url, '--if-exists', 'abort'], {
      CHROMA_MIGRATE_STATE: join(dir, 'state-token.json'),
      CHROMA_AUTH_TOKEN: 'wrong-token-abcdef',
    });
    expectClearFailure(run, 'a wrong token', /refused the request \(401\)/);
    expect(run.stderr + run.stdout).not.toContain('wrong-token-abcdef');
    expect(await snapshot()).toEqual(before);
  });

  it('an .env that cannot be written', async () => {
    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, 'a file, not a folder');
    const envFile = join(blocker, '.env');
    const run = await runCli(['env', 'set', '--url', 'https://chroma.example.com', '--dotenv', envFile, '--yes']);
    expectClearFailure(run, '.env path that cannot be written', /(Cannot|Could not) (write|read) .*not-a-folder.*(ENOTDIR|is a file, not a folder)/);

    const folderEnv = join(dir, 'env-is-a-folder');
    await mkdir(folderEnv);
    const run2 = await runCli(['env', 'set', '--url', 'https://chroma.example.com', '--dotenv', folderEnv, '--yes']);
    expectClearFailure(run2, '.env that is a folder', /folder|EISDIR/i);
  });

  it('a state file from another backup or another target is not resumed from', async () => {
    // Backup A half-imported, leaving a checkpoint; backup B (other records, same collection
    // name) must not "resume" at A's checkpoint: the collection is simply there already.
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await writePythonRowsJson(a, 'shared_name', makeRecords(40, { dim: 8, prefix: 'a' }), { metadata: { 'hnsw:space': 'l2' } });
    await writePythonRowsJson(b, 'shared_name', makeRecords(40, { dim: 8, prefix: 'b' }), { metadata: { 'hnsw:space': 'l2' } });
    const statePath = join(dir, 'state-foreign.json');
    const first = await runCli(['import', '--input', a, '--url', target.server.url, '--if-exists', 'abort', '--batch', '10'], { CHROMA_MIGRATE_STATE: statePath });
    expect(first.code).toBe(0);
    // Make A's checkpoint look unfinished, as after a crash.
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { imports: Array<{ committed: number; done: boolean }> };
    for (const entry of state.imports) Object.assign(entry, { committed: 20, done: false });
    await writeFile(statePath, JSON.stringify(state));
    const before = await snapshot();
    const run = await runCli(['import', '--input', b, '--url', target.server.url, '--if-exists', 'abort'], { CHROMA_MIGRATE_STATE: statePath });
    expectClearFailure(run, 'state file from another backup', /already exists.*40 records; nothing was changed/);
    expect(run.stderr).not.toMatch(/resum/i);
    expect(await snapshot()).toEqual(before);
    // The same checkpoint does not follow the backup to another target either.
    const proxyAsOtherTarget = await startFaultProxy(target.server.url);
    try {
      const other = await runCli(['import', '--input', a, '--url', proxyAsOtherTarget.url, '--if-exists', 'abort'], { CHROMA_MIGRATE_STATE: statePath });
      expectClearFailure(other, 'state file from another target', /already exists.*40 records; nothing was changed/);
      expect(other.stderr).not.toMatch(/resum/i);
    } finally {
      await proxyAsOtherTarget.close();
    }
  });
});

describe('a damaged state file', () => {
  it('is detected and explained, never silently reset (more in test/core/state/store.test.ts)', async () => {
    const path = join(dir, 'ok-state.json');
    await writePythonRowsJson(path, 'state_check', makeRecords(5, { dim: 8 }), { metadata: { 'hnsw:space': 'l2' } });
    const statePath = join(dir, 'state-damaged.json');
    const half = '{"version":1,"createdAt":"2026-11-25T10:00:00.000Z","imports":[{"backup":"x","commit';
    await writeFile(statePath, half);
    const before = await snapshot();
    const run = await runCli(['import', '--input', path, '--url', target.server.url, '--if-exists', 'abort'], { CHROMA_MIGRATE_STATE: statePath });
    expectClearFailure(run, 'damaged state file', /state file .*state-damaged\.json is damaged \(it is not valid JSON\)[\s\S]*mv /);
    expect(await readFile(statePath, 'utf8')).toBe(half);
    expect(await snapshot()).toEqual(before);
  });
});

describe('a full disk during an export', () => {
  it('ends with a clear IO error, exit 1, and no backup file (RLIMIT_FSIZE via ulimit -f)', async () => {
    const source = new ChromaApi(endpoint({ url: target.server.url }));
    const info = await source.createCollection({ name: 'big_export', metadata: null, space: null });
    const records = makeRecords(1500, { dim: 64, prefix: 'big' });
    for (let i = 0; i < records.length; i += 500) await source.upsert(info.id, records.slice(i, i + 500), { base64: true });
    const out = join(dir, 'full-disk.jsonl');
    // 256 KiB: the export (≈1.5 MB) cannot fit; tsx's own cache files are far smaller. Past the
    // limit the kernel sends SIGXFSZ (default: die); the export command listens for it, so the
    // write fails with EFBIG like a full disk's ENOSPC, and the writer explains.
    const command = `ulimit -f 256; exec "${process.execPath}" --import tsx "${CLI_ENTRY}" export --source-url "${target.server.url}" --collections big_export --out "${out}"`;
    const child = spawn('bash', ['-c', command], {
      env: { ...process.env, CI: 'true', CHROMA_MIGRATE_STATE: join(dir, 'state-full.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    const lines = stderr.trim().split('\n');
    log.push(`full disk during export (ulimit -f 256) | exit ${code}${signal ? ` signal ${signal}` : ''} | ${lines.find((line) => line.startsWith('✗')) ?? lines.at(-1)}`);
    expect(signal).toBeNull();
    expect(code).toBe(1);
    expect(stderr).toMatch(/✗ Cannot write the backup .*full-disk\.jsonl\.partial: the file reached the size limit/);
    expect(stderr + stdout).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
