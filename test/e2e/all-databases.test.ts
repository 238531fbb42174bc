import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { ensureDatabase, listDatabases } from '../../src/core/chroma/databases.js';
import { inspectBackup } from '../../src/core/backup/read.js';
import { startTestServer } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';

let dir = '';
let source: Awaited<ReturnType<typeof startTestServer>>;
let copyTarget: Awaited<ReturnType<typeof startTestServer>>;
let importTarget: Awaited<ReturnType<typeof startTestServer>>;
let mapTarget: Awaited<ReturnType<typeof startTestServer>>;

const DATABASES = ['customer_b', 'default_database', 'staging'];

async function collectionsByDatabase(url: string): Promise<Record<string, Array<[string, number]>>> {
  const found: Record<string, Array<[string, number]>> = {};
  for (const database of await listDatabases(endpoint({ url }))) {
    const api = new ChromaApi(endpoint({ url, database: database.name }));
    const infos = await api.allCollections();
    found[database.name] = (await Promise.all(infos.map(async (info) => [info.name, await api.count(info.id)] as [string, number]))).sort();
  }
  return found;
}

/** "database/collection count" for every collection of the source, in the order a backup holds them. */
async function expectedCollections(): Promise<string[]> {
  const found = await collectionsByDatabase(source.server.url);
  return DATABASES.flatMap((database) => found[database]!.map(([name, count]) => `${database}/${name} ${count}`));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-all-dbs-'));
  [source, copyTarget, importTarget, mapTarget] = await Promise.all([startTestServer(), startTestServer(), startTestServer(), startTestServer()]);
  for (const [index, database] of DATABASES.entries()) {
    const at = endpoint({ url: source.server.url, database });
    await ensureDatabase(at, database);
    const api = new ChromaApi(at);
    // The same collection name in two databases, and one of each database's own.
    for (const [name, count] of [['shared', 50 + index], [`only_${database}`, 20 + index]] as const) {
      const info = await api.createCollection({ name, metadata: { database }, space: 'cosine' });
      await api.upsert(info.id, makeRecords(count, { dim: 8, prefix: `${database}-${name}` }), { base64: true });
    }
  }
}, 300_000);
afterAll(async () => {
  await Promise.all([source?.cleanup(), copyTarget?.cleanup(), importTarget?.cleanup(), mapTarget?.cleanup()]);
  await rm(dir, { recursive: true, force: true });
});

describe('--all-databases', () => {
  it('copy recreates all three databases on an empty target, every collection verified', async () => {
    const run = await runCli(['copy', '--all-databases', '--source-url', source.server.url, '--url', copyTarget.server.url, '--out', join(dir, 'copy.jsonl'), '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Created database customer_b on the target/);
    expect(run.stderr).toMatch(/== database staging/);
    expect(run.stderr).toMatch(/✓ 3 databases: customer_b, default_database, staging/);
    expect(await collectionsByDatabase(copyTarget.server.url)).toEqual(await collectionsByDatabase(source.server.url));
    // One backup for all three databases, as export --all-databases writes it.
    expect((await readdir(dir)).filter((name) => name.startsWith('copy.'))).toEqual(['copy.jsonl']);
    const summary = await inspectBackup(join(dir, 'copy.jsonl'));
    expect(summary.collections.map((header) => `${header.database}/${header.name} ${header.count}`)).toEqual(await expectedCollections());
    const verified = await runCli(['verify', '--all-databases', '--source-url', source.server.url, '--url', copyTarget.server.url]);
    expect(verified.code, verified.stderr).toBe(0);
    expect((verified.stderr.match(/^✓ /gm) ?? []).length).toBe(6 + 1);
  }, 600_000);

  it('export writes one backup for all databases; import recreates them in a fresh target, verify passes (and --database-map renames one)', async () => {
    const out = join(dir, 'backup.jsonl.gz');
    const exported = await runCli(['export', '--all-databases', '--source-url', source.server.url, '--out', out, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const result = JSON.parse(exported.stdout);
    expect(result.collections.filter((entry: { database: string }) => entry.database === 'staging')).toEqual([
      { database: 'staging', name: 'only_staging', count: 22 },
      { database: 'staging', name: 'shared', count: 52 },
    ]);
    expect((await readdir(dir)).filter((name) => name.startsWith('backup.'))).toEqual(['backup.jsonl.gz']);
    const summary = await inspectBackup(out);
    expect(summary.collections.map((header) => `${header.database}/${header.name} ${header.count}`)).toEqual(await expectedCollections());

    // No flag needed: the file names its databases, and each is created on the target.
    const imported = await runCli(['import', '--input', out, '--url', importTarget.server.url, '--yes']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(await collectionsByDatabase(importTarget.server.url)).toEqual(await collectionsByDatabase(source.server.url));
    const verified = await runCli(['verify', '--input', out, '--url', importTarget.server.url]);
    expect(verified.code, verified.stderr).toBe(0);
    expect((verified.stderr.match(/^✓ /gm) ?? []).length).toBe(6);

    const mapped = await runCli(['import', '--all-databases', '--input', out, '--database-map', 'customer_b=cust-b', '--database', 'customer_b,staging', '--url', mapTarget.server.url, '--yes']);
    expect(mapped.code, mapped.stderr).toBe(0);
    const onTarget = await collectionsByDatabase(mapTarget.server.url);
    const onSource = await collectionsByDatabase(source.server.url);
    expect(Object.keys(onTarget).sort()).toEqual(['cust-b', 'default_database', 'staging']);
    expect(onTarget['cust-b']).toEqual(onSource.customer_b);
    expect(onTarget.staging).toEqual(onSource.staging);
    expect(onTarget.default_database).toEqual([]);
    const mappedVerify = await runCli(['verify', '--input', out, '--collections', 'shared', '--database-map', 'customer_b=cust-b', '--url', mapTarget.server.url]);
    // default_database/shared was not imported there: it is named missing; the other two pass.
    expect(mappedVerify.code).toBe(1);
    expect((mappedVerify.stderr.match(/^✓ /gm) ?? []).length).toBe(2);
  }, 600_000);

  it('export --all-databases killed with SIGKILL mid-way continues with the database it was in, and still writes one whole file', async () => {
    const proxy = await startFaultProxy(source.server.url, { delayMs: 300, faultPaths: /\/get$/ });
    try {
      const out = join(dir, 'killed.jsonl.gz');
      const state = join(dir, 'killed-state.json');
      const args = ['export', '--all-databases', '--source-url', proxy.url, '--out', out, '--page-size', '10', '--state', state];
      const child = spawnCli(args);
      // The first database's part is finished (renamed from .partial): the kill lands in the second.
      const first = join(`${out}.databases`, 'customer_b.jsonl.gz');
      const deadline = Date.now() + 300_000;
      while (!existsSync(first) && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(child.exitCode, child.output()).toBeNull();
      child.kill('SIGKILL');
      await exitOf(child);
      expect(existsSync(out)).toBe(false);
      const rerun = await runCli([...args, '--json']);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(JSON.parse(rerun.stdout).resumed).toBe(true);
      expect(existsSync(`${out}.databases`)).toBe(false);
      const summary = await inspectBackup(out);
      expect(summary.collections.map((header) => `${header.database}/${header.name} ${header.count}`)).toEqual(await expectedCollections());
    } finally {
      await proxy.close();
    }
  }, 600_000);

  it('refuses --database with --all-databases, and a map naming a database the source lacks', async () => {
    const both = await runCli(['export', '--all-databases', '--database', 'staging', '--source-url', source.server.url, '--out', join(dir, 'x.jsonl')]);
    expect(both.code).toBe(2);
    const unknown = await runCli(['copy', '--all-databases', '--database-map', 'nope=x', '--source-url', source.server.url, '--url', copyTarget.server.url, '--out', join(dir, 'y.jsonl')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--database-map names nope, which the source does not have/);
  }, 120_000);

  it('copy into the source server itself (another address), even with its databases swapped by the map, is refused before anything is written', async () => {
    const before = await collectionsByDatabase(source.server.url);
    const other = source.server.url.includes('127.0.0.1') ? source.server.url.replace('127.0.0.1', 'localhost') : source.server.url.replace('localhost', '127.0.0.1');
    const swap = await runCli(['copy', '--all-databases', '--database-map', 'customer_b=staging,staging=customer_b', '--all', '--source-url', source.server.url, '--url', other, '--out', join(dir, 'swap.jsonl.gz'), '--if-exists', 'recreate', '--yes']);
    expect(swap.code, swap.stderr).toBe(1);
    expect(swap.stderr).toContain('is the source server itself');
    expect(swap.stderr).not.toContain('Deleting collection');
    expect((await readdir(dir)).filter((name) => name.startsWith('swap'))).toEqual([]);
    expect(await collectionsByDatabase(source.server.url)).toEqual(before);
  }, 120_000);
});
