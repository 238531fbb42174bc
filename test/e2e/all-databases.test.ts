import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { ensureDatabase, listDatabases } from '../../src/core/chroma/databases.js';
import { startTestServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

let dir = '';
let source: Awaited<ReturnType<typeof startTestServer>>;
let copyTarget: Awaited<ReturnType<typeof startTestServer>>;
let importTarget: Awaited<ReturnType<typeof startTestServer>>;

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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-all-dbs-'));
  [source, copyTarget, importTarget] = await Promise.all([startTestServer(), startTestServer(), startTestServer()]);
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
  await Promise.all([source?.cleanup(), copyTarget?.cleanup(), importTarget?.cleanup()]);
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
    const verified = await runCli(['verify', '--all-databases', '--source-url', source.server.url, '--url', copyTarget.server.url]);
    expect(verified.code, verified.stderr).toBe(0);
    expect((verified.stderr.match(/^✓ /gm) ?? []).length).toBe(6 + 1);
  }, 600_000);

  it('export writes one backup per database; import recreates them (one renamed with --database-map), verify passes', async () => {
    const out = join(dir, 'backup.jsonl.gz');
    const exported = await runCli(['export', '--all-databases', '--source-url', source.server.url, '--out', out, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const summary = JSON.parse(exported.stdout);
    expect(summary.databases.map((entry: { database: string }) => entry.database)).toEqual(DATABASES);
    expect(summary.databases[2].result.collections).toEqual([{ name: 'only_staging', count: 22 }, { name: 'shared', count: 52 }]);
    expect((await readdir(dir)).filter((name) => name.startsWith('backup.')).sort()).toEqual(['backup.customer_b.jsonl.gz', 'backup.default_database.jsonl.gz', 'backup.staging.jsonl.gz']);

    const imported = await runCli(['import', '--all-databases', '--input', out, '--database-map', 'customer_b=cust-b', '--url', importTarget.server.url, '--yes']);
    expect(imported.code, imported.stderr).toBe(0);
    const onTarget = await collectionsByDatabase(importTarget.server.url);
    const onSource = await collectionsByDatabase(source.server.url);
    expect(Object.keys(onTarget).sort()).toEqual(['cust-b', 'default_database', 'staging']);
    expect(onTarget['cust-b']).toEqual(onSource.customer_b);
    expect(onTarget.staging).toEqual(onSource.staging);
    const verified = await runCli(['verify', '--all-databases', '--input', out, '--database-map', 'customer_b=cust-b', '--url', importTarget.server.url]);
    expect(verified.code, verified.stderr).toBe(0);
  }, 600_000);

  it('refuses --database with --all-databases, and a map naming a database the source lacks', async () => {
    const both = await runCli(['export', '--all-databases', '--database', 'staging', '--source-url', source.server.url, '--out', join(dir, 'x.jsonl')]);
    expect(both.code).toBe(2);
    const unknown = await runCli(['copy', '--all-databases', '--database-map', 'nope=x', '--source-url', source.server.url, '--url', copyTarget.server.url, '--out', join(dir, 'y.jsonl')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--database-map names nope, which the source does not have/);
  }, 120_000);
});
