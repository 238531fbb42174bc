/**
 * A data folder holding several tenants: a run reads one (--tenant, default_tenant) and names the
 * others with the command that reads them, instead of saying ✓ over what it left behind. Their
 * names come from chroma.sqlite3 itself (no route lists tenants), read by our own SQLite reader.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { chromaRequest } from '../../src/core/chroma/http.js';
import { ensureDatabase } from '../../src/core/chroma/databases.js';
import { inspectBackup } from '../../src/core/backup/read.js';
import { startChromaServer } from '../../src/core/local-server/chroma-server.js';
import { tenantNames } from '../../src/core/sources/folder/tenants.js';
import { readTable } from '../../src/core/sources/folder/sqlite-table.js';
import { useChromaServer } from '../helpers/chroma.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

const target = useChromaServer();
let dir = '';
let folder = '';
let onlyOther = '';
/** Enough tenants to spread the tenants table over several pages (an interior b-tree page). */
/** A document longer than a page: its row continues on overflow pages. */
const LONG = `start ${'long document '.repeat(1500)}end`;
const FILLER = Array.from({ length: 150 }, (_, index) => `filler-tenant-with-a-rather-long-name-${String(index).padStart(3, '0')}`);

async function collection(url: string, tenant: string, database: string, name: string): Promise<void> {
  const at = endpoint({ url, tenant, database });
  await ensureDatabase(at, database);
  const api = new ChromaApi(at);
  const info = await api.createCollection({ name, metadata: null, space: 'l2' });
  await api.upsert(info.id, makeRecords(7, { dim: 2, prefix: `${tenant}-${name}` }), { base64: true });
}

/** A folder written by a real server that is then stopped, as an app leaves it. */
async function writeFolder(path: string, fill: (url: string) => Promise<void>): Promise<void> {
  const server = await startChromaServer({ path, logFile: join(dir, `writer-${Date.now()}.log`) });
  try {
    await fill(server.url);
  } finally {
    await server.stop();
    await rm(join(path, 'chroma-server.pid'), { force: true });
  }
}

const createTenant = (url: string, name: string) => chromaRequest(endpoint({ url }), 'POST', '/api/v2/tenants', { body: { name } });

beforeAll(async () => {
  dir = await makeTempDir();
  folder = join(dir, 'several');
  await writeFolder(folder, async (url) => {
    await collection(url, 'default_tenant', 'default_database', 'coll');
    await collection(url, 'default_tenant', 'db2', 'coll2');
    for (const name of ['tenant2', 'empty_tenant', ...FILLER]) await createTenant(url, name);
    await collection(url, 'tenant2', 'dbX', 'other');
    const api = new ChromaApi(endpoint({ url }));
    await api.upsert((await api.findCollection('coll'))!.id, [{ id: 'long', embedding: [1, 2], document: LONG, metadata: null, uri: null }], { base64: true });
  });
  onlyOther = join(dir, 'only-other');
  await writeFolder(onlyOther, async (url) => {
    await createTenant(url, 'tenant2');
    await collection(url, 'tenant2', 'dbX', 'other');
  });
}, 180_000);
afterAll(() => removeDir(dir));

const NOTE = 'Also in this folder: tenant tenant2 (database dbX), which this run does not read: run again with --tenant tenant2.';
/** A run with a target names a tenant of its own there too: in the default one, same-named collections would be joined. */
const NOTE_TO_TARGET = 'Also in this folder: tenant tenant2 (database dbX), which this run does not read: run again with --tenant tenant2 --target-tenant tenant2.';

describe('a data folder with several tenants', () => {
  it('its tenants are read from chroma.sqlite3, every one of them (and a row longer than a page, whole)', async () => {
    expect((await tenantNames(join(folder, 'chroma.sqlite3')))?.sort()).toEqual(['default_tenant', 'empty_tenant', ...FILLER, 'tenant2'].sort());
    const rows = await readTable(join(folder, 'chroma.sqlite3'), 'embedding_metadata');
    expect(rows?.some((row) => row.includes(LONG))).toBe(true);
    expect(await readTable(join(folder, 'chroma.sqlite3'), 'no_such_table')).toBeNull();
  });

  it('copy --all-databases copies the default tenant and names the other, with the command (and a target tenant of its own), after its last line', async () => {
    const run = await runCli(['copy', '--all-databases', '--source-path', folder, '--url', target.url, '--out', join(dir, 'b.jsonl.gz'), '--yes']);
    expect(run.code, run.stderr).toBe(0);
    const last = run.stderr.slice(run.stderr.indexOf('✓ 2 databases: db2, default_database'));
    expect(last).toContain(NOTE_TO_TARGET);
    expect(run.stderr).not.toContain('empty_tenant');
    expect(run.stderr).not.toContain('filler-tenant');
    const json = await runCli(['export', '--all-databases', '--source-path', folder, '--out', join(dir, 'j.jsonl.gz'), '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toContain(NOTE);
  }, 180_000);

  it('export reads the tenant asked for with --tenant, and then names the default one', async () => {
    const out = join(dir, 'tenant2.jsonl.gz');
    const run = await runCli(['export', '--source-path', folder, '--tenant', 'tenant2', '--database', 'dbX', '--all', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Also in this folder: tenant default_tenant (databases db2, default_database), which this run does not read: run again with --tenant default_tenant.');
    expect((await inspectBackup(out)).collections.map((header) => `${header.name} ${header.count}`)).toEqual(['other 7']);
  }, 180_000);

  it('export --all of the default tenant names its other database beside the other tenant, after the ✓ too', async () => {
    const run = await runCli(['export', '--source-path', folder, '--all', '--out', join(dir, 'one-db.jsonl.gz')]);
    expect(run.code, run.stderr).toBe(0);
    const last = run.stderr.slice(run.stderr.indexOf('✓ Wrote'));
    expect(last).toContain(NOTE);
    expect(last).toContain('Also in tenant default_tenant: database db2 (1 collection), which this run does not read: add --all-databases to read every database, or run again with --database db2.');
  }, 180_000);

  it('a folder whose default tenant is empty says which tenant holds the collections', async () => {
    const run = await runCli(['export', '--source-path', onlyOther, '--all', '--out', join(dir, 'none.jsonl.gz')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('holds no Chroma collections in tenant default_tenant');
    expect(run.stderr).toContain('run again with --tenant tenant2');
  }, 180_000);

  it('--tenant is described for folders and servers too, not as Chroma Cloud\'s alone', async () => {
    const help = await runCli(['export', '--help']);
    expect(help.stdout).not.toContain('Chroma Cloud tenant');
    expect(help.stdout).toMatch(/--tenant T\s+the source's tenant: on Chroma Cloud/);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('or a data folder (default default_tenant there)');
  });
});
