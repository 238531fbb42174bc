/**
 * A source database that does not exist, or holds nothing. Chroma 1.x lists the collections of a
 * database it lacks as an empty list (200, `[]`), so a typo in --database passed for an empty
 * database: sync said nothing and exited 0 ("The target matches the source" on a dry run), and
 * export wrote an empty backup with ✓ that status then showed as the backup. Each now stops with
 * exit 1 naming the databases the source has; an existing database without collections is said
 * so, exit 1 when it is the one database asked for, and skipped (named) among all of them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { ensureDatabase, listDatabases } from '../../src/core/chroma/databases.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';

const { source, target } = useTwoServers();
let dir = '';

beforeAll(async () => {
  dir = await makeTempDir();
  // The source: default_database empty, "real" with one collection. The target holds "big".
  const real = endpoint({ url: source.url, database: 'real' });
  await ensureDatabase(real, 'real');
  const api = new ChromaApi(real);
  await api.upsert((await api.createCollection({ name: 'docs', metadata: null, space: 'l2' })).id, makeRecords(10, { dim: 4, prefix: 'docs' }), { base64: true });
  const onTarget = new ChromaApi(endpoint({ url: target.url }));
  await onTarget.upsert((await onTarget.createCollection({ name: 'big', metadata: null, space: 'l2' })).id, makeRecords(100, { dim: 4, prefix: 'big' }), { base64: true });
}, 300_000);
afterAll(async () => {
  await removeDir(dir);
});

const notFound = /Database "typo_db" was not found on http:\/\/localhost:\d+ \(tenant "default_tenant"\) \(it has: default_database, real\)\. Nothing was read or written\./;

describe('a source database that does not exist', () => {
  it('sync --all stops with exit 1 and names the databases the source has', async () => {
    const run = await runCli(['sync', '--all', '--source-url', source.url, '--database', 'typo_db', '--url', target.url, '--prune', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(notFound);
  }, 120_000);

  it('sync --all --dry-run never says the target matches', async () => {
    const run = await runCli(['sync', '--all', '--source-url', source.url, '--database', 'typo_db', '--url', target.url, '--prune', '--yes', '--dry-run', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(notFound);
    expect(run.stdout + run.stderr).not.toContain('matches');
  }, 120_000);

  it('export --all writes no file', async () => {
    const out = join(dir, 'typo.jsonl');
    const run = await runCli(['export', '--all', '--source-url', source.url, '--database', 'typo_db', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(notFound);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  }, 120_000);

  it('verify --source-url stops with exit 1', async () => {
    const run = await runCli(['verify', '--source-url', source.url, '--database', 'typo_db', '--url', target.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(notFound);
  }, 120_000);

  it('a tenant that does not exist is suspected', async () => {
    const run = await runCli(['export', '--all', '--source-url', source.url, '--tenant', 'nobody', '--out', join(dir, 'tenant.jsonl')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Database "default_database" was not found on');
    expect(run.stderr).toContain('(tenant "nobody") (it has no database: is the tenant right?)');
  }, 120_000);
});

describe('a source database without collections', () => {
  const empty = /Database "default_database" at http:\/\/localhost:\d+ holds no collections: nothing to (export, no file written|sync)\./;

  it('export --all says so, exit 1, no file', async () => {
    const out = join(dir, 'empty.jsonl');
    const run = await runCli(['export', '--all', '--source-url', source.url, '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(empty);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('sync --all says so, exit 1', async () => {
    const run = await runCli(['sync', '--all', '--source-url', source.url, '--url', target.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(empty);
  }, 120_000);

  it('export --all-databases leaves it out, named, and exports the others', async () => {
    const out = join(dir, 'all.jsonl');
    const run = await runCli(['export', '--all-databases', '--source-url', source.url, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Database "default_database" holds no collections: nothing of it goes into the backup.');
    expect(run.stdout + run.stderr).toContain('real/docs: 10 records');
  }, 120_000);

  it('copy --all-databases creates it on the target, copies nothing of it, and copies the others', async () => {
    const copyTarget = endpoint({ url: target.url });
    const run = await runCli(['copy', '--all-databases', '--source-url', source.url, '--url', target.url, '--out', join(dir, 'copy.jsonl'), '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('== database default_database\nIt holds no collections: nothing to copy.');
    expect((await listDatabases(copyTarget)).map((database) => database.name)).toEqual(['default_database', 'real']);
  }, 300_000);
});
