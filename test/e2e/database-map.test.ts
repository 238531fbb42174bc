/**
 * --database-map and the one file of several databases: a map that sends two source databases to
 * one target database is refused before anything is read or written (each would overwrite the
 * other's records of the same id); a map without --all-databases is a usage mistake, not ignored;
 * a several-database backup named .gz is gzip, and an older plain one under that name still reads.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { ensureDatabase, listDatabases } from '../../src/core/chroma/databases.js';
import { inspectBackup } from '../../src/core/backup/read.js';
import { useTwoServers } from '../helpers/chroma.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';

const { source, target } = useTwoServers();
let dir = '';

/** Every collection of every database on a server, as "database/name: documents". */
async function contents(url: string): Promise<string[]> {
  const found: string[] = [];
  for (const database of await listDatabases(endpoint({ url }))) {
    const api = new ChromaApi(endpoint({ url, database: database.name }));
    for (const info of await api.allCollections()) found.push(`${database.name}/${info.name}: ${(await api.get(info.id, { include: ['documents'] })).documents?.join(',')}`);
  }
  return found.sort();
}

beforeAll(async () => {
  dir = await makeTempDir();
  // The same collection and id in both databases, with different documents.
  for (const database of ['default_database', 'db2']) {
    const at = endpoint({ url: source.url, database });
    await ensureDatabase(at, database);
    const api = new ChromaApi(at);
    const info = await api.createCollection({ name: 'coll', metadata: null, space: 'l2' });
    await api.upsert(info.id, [{ id: 'r', embedding: [1, 2], document: `version from ${database}`, metadata: null, uri: null }], { base64: true });
  }
}, 120_000);
afterAll(() => removeDir(dir));

describe('two source databases onto one target database', () => {
  it('copy --all-databases is refused before anything is read or written, naming both', async () => {
    const out = join(dir, 'collide.jsonl.gz');
    const run = await runCli(['copy', '--all-databases', '--database-map', 'db2=default_database', '--source-url', source.url, '--url', target.url, '--out', out, '--yes']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('db2 and default_database would both go to default_database on the target; map them to different databases');
    expect(run.stderr).not.toContain('== database');
    expect(await contents(target.url)).toEqual([]);
    expect((await readdir(dir)).filter((name) => name.startsWith('collide'))).toEqual([]);
  }, 120_000);

  it('so is a map that sends two databases to one new name, and verify --all-databases with such a map', async () => {
    const both = await runCli(['copy', '--all-databases', '--database-map', 'db2=merged,default_database=merged', '--source-url', source.url, '--url', target.url, '--out', join(dir, 'merged.jsonl.gz'), '--yes']);
    expect(both.code, both.stderr).toBe(2);
    expect(both.stderr).toContain('db2 and default_database would both go to merged on the target');
    expect((await listDatabases(endpoint({ url: target.url }))).map((database) => database.name)).toEqual(['default_database']);
    const verify = await runCli(['verify', '--all-databases', '--database-map', 'db2=default_database', '--source-url', source.url, '--url', target.url]);
    expect(verify.code, verify.stderr).toBe(2);
    expect(verify.stderr).toContain('would both go to default_database on the target');
  }, 120_000);

  it('import and verify of a several-database backup refuse the same map before writing', async () => {
    const out = join(dir, 'two.jsonl.gz');
    const exported = await runCli(['export', '--all-databases', '--source-url', source.url, '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    const imported = await runCli(['import', '--input', out, '--database-map', 'db2=default_database', '--url', target.url, '--yes']);
    expect(imported.code, imported.stderr).toBe(2);
    expect(imported.stderr).toContain('db2 and default_database would both go to default_database on the target');
    expect(await contents(target.url)).toEqual([]);
    const verified = await runCli(['verify', '--input', out, '--database-map', 'db2=default_database', '--url', target.url]);
    expect(verified.code, verified.stderr).toBe(2);
    expect(verified.stderr).toContain('would both go to default_database on the target');
  }, 120_000);

  it('--database-map without --all-databases is a usage mistake naming --target-database', async () => {
    const copy = await runCli(['copy', '--database', 'db2', '--database-map', 'db2=other', '--all', '--source-url', source.url, '--url', target.url, '--out', join(dir, 'single.jsonl.gz'), '--yes']);
    expect(copy.code, copy.stderr).toBe(2);
    expect(copy.stderr).toContain('--database-map goes with --all-databases');
    expect(copy.stderr).toContain('--target-database other');
    expect(await contents(target.url)).toEqual([]);
    const verify = await runCli(['verify', '--database', 'db2', '--database-map', 'db2=other', '--source-url', source.url, '--url', target.url]);
    expect(verify.code, verify.stderr).toBe(2);
    expect(verify.stderr).toContain('--target-database');
  }, 120_000);
});

describe('one file for several databases, named .gz', () => {
  it('export and copy --all-databases write gzip; import and verify read it, and an older plain file under that name', async () => {
    const exported = join(dir, 'all.jsonl.gz');
    expect((await runCli(['export', '--all-databases', '--source-url', source.url, '--out', exported])).code).toBe(0);
    const copied = join(dir, 'copied.jsonl.gz');
    const copy = await runCli(['copy', '--all-databases', '--source-url', source.url, '--url', target.url, '--out', copied, '--yes']);
    expect(copy.code, copy.stderr).toBe(0);
    for (const file of [exported, copied]) {
      const bytes = await readFile(file);
      expect([bytes[0], bytes[1]], file).toEqual([0x1f, 0x8b]);
      expect(gunzipSync(bytes).toString('utf8')).toContain('"database":"db2"');
      expect((await inspectBackup(file)).collections.map((header) => `${header.database}/${header.name} ${header.count}`)).toEqual(['db2/coll 1', 'default_database/coll 1']);
    }
    expect(await contents(target.url)).toEqual(['db2/coll: version from db2', 'default_database/coll: version from default_database']);
    const plain = join(dir, 'plain.jsonl.gz');
    await writeFile(plain, gunzipSync(await readFile(exported)));
    const verified = await runCli(['verify', '--input', plain, '--url', target.url]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(existsSync(`${copied}.databases`)).toBe(false);
  }, 300_000);
});
