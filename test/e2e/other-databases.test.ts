/**
 * A run of one database (no --all-databases) of a tenant whose other databases hold collections:
 * it names them, with their collection counts and the flag that reads them, as a warning at the
 * start that the summary says again after its ✓ lines (and --json carries as `unread`), instead
 * of a ✓ over what it left behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { ensureDatabase } from '../../src/core/chroma/databases.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

const { source, target } = useTwoServers();
let dir = '';

async function collection(database: string, name: string): Promise<void> {
  const at = endpoint({ url: source.url, database });
  await ensureDatabase(at, database);
  const api = new ChromaApi(at);
  const info = await api.createCollection({ name, metadata: null, space: 'l2' });
  await api.upsert(info.id, makeRecords(5, { dim: 4, prefix: `${database}-${name}` }), { base64: true });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-other-dbs-'));
  await collection('default_database', 'here');
  await collection('otherdb', 'bbb');
  await collection('otherdb', 'ccc');
  await collection('staging', 'ddd');
  // A database without collections is nothing left behind.
  await ensureDatabase(endpoint({ url: source.url, database: 'emptydb' }), 'emptydb');
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const EXPORT_NOTE = 'Also in tenant default_tenant: databases otherdb (2 collections), staging (1 collection), which this run does not read: add --all-databases to read every database, or run again with --database otherdb, and again with --database staging.';

/** The stderr after the run's first ✓ line: what a user reads last. */
const afterTick = (stderr: string): string => stderr.slice(stderr.indexOf('✓'));

describe("a tenant's other databases", () => {
  it('export --all names them before and after its ✓, and in --json', async () => {
    const run = await runCli(['export', '--source-url', source.url, '--all', '--out', join(dir, 'e.jsonl')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split(EXPORT_NOTE).length - 1).toBe(2);
    expect(afterTick(run.stderr)).toContain(EXPORT_NOTE);
    expect(run.stderr).not.toContain('emptydb');
    const json = await runCli(['export', '--source-url', source.url, '--out', join(dir, 'j.jsonl'), '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).unread).toEqual([EXPORT_NOTE]);
  }, 120_000);

  it('copy --all names them with a target database of their own; sync --all with --database alone (it has no --all-databases)', async () => {
    const copy = await runCli(['copy', '--source-url', source.url, '--url', target.url, '--all', '--out', join(dir, 'c.jsonl')]);
    expect(copy.code, copy.stderr).toBe(0);
    expect(afterTick(copy.stderr)).toContain(
      'Also in tenant default_tenant: databases otherdb (2 collections), staging (1 collection), which this run does not read: add --all-databases to read every database, or run again with --database otherdb --target-database otherdb, and again with --database staging --target-database staging.',
    );
    const sync = await runCli(['sync', '--source-url', source.url, '--url', target.url, '--all']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(afterTick(sync.stderr)).toContain('which this run does not read: run again with --database otherdb --target-database otherdb, and again with --database staging --target-database staging.');
  }, 120_000);

  it('says nothing when the run chose its collections or its database, or reads every database', async () => {
    for (const args of [
      ['export', '--source-url', source.url, '--collections', 'here', '--out', join(dir, 'n1.jsonl')],
      ['export', '--source-url', source.url, '--database', 'default_database', '--all', '--out', join(dir, 'n2.jsonl')],
      ['export', '--source-url', source.url, '--all-databases', '--out', join(dir, 'n3.jsonl')],
      ['copy', '--source-url', source.url, '--url', target.url, '--all-databases', '--out', join(dir, 'n4.jsonl'), '--yes'],
    ]) {
      const run = await runCli(args);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toContain('Also in tenant');
    }
  }, 180_000);
});
