/**
 * A `--target-database` the target lacks is created by a run that writes (as `--all-databases`
 * creates the databases it maps to), named by a plan, and created by nothing that only plans.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { listDatabases } from '../../src/core/chroma/databases.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

let dir = '';
const { source, target } = useTwoServers();
const databases = async () => (await listDatabases(endpoint({ url: target.server.url }))).map((database) => database.name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-target-db-'));
  const api = new ChromaApi(endpoint({ url: source.server.url }));
  const info = await api.createCollection({ name: 'notes', metadata: null, space: 'cosine' });
  await api.upsert(info.id, makeRecords(25, { dim: 8 }), { base64: true });
}, 300_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a --target-database the target lacks', () => {
  it('is named by a dry run and not created; a copy creates it and lands every record there', async () => {
    const state = join(dir, 'state.json');
    const plan = await runCli(['copy', '--dry-run', '--source-url', source.server.url, '--url', target.server.url, '--target-database', 'restored', '--all', '--out', join(dir, 'plan.jsonl.gz'), '--state', state]);
    expect(await databases()).toEqual(['default_database']);
    expect(plan.stdout + plan.stderr).not.toContain('does not exist');

    const copy = await runCli(['copy', '--source-url', source.server.url, '--url', target.server.url, '--target-database', 'restored', '--all', '--out', join(dir, 'copy.jsonl.gz'), '--state', state]);
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    expect(copy.stderr).toContain(`Created database "restored" on ${target.server.url}`);
    expect(await databases()).toEqual(['default_database', 'restored']);
    const landed = new ChromaApi(endpoint({ url: target.server.url, database: 'restored' }));
    expect(await landed.count((await landed.findCollection('notes'))!.id)).toBe(25);
  }, 300_000);

  it('an import --dry-run says the import would create it; the import does, and a name no server takes is refused first', async () => {
    const state = join(dir, 'state.json');
    const plan = await runCli(['import', '--dry-run', '--input', join(dir, 'copy.jsonl.gz'), '--url', target.server.url, '--target-database', 'staging', '--state', state]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout + plan.stderr).toContain('The target has no database "staging": the import would create it.');
    expect(await databases()).not.toContain('staging');

    const run = await runCli(['import', '--input', join(dir, 'copy.jsonl.gz'), '--url', target.server.url, '--target-database', 'staging', '--state', state]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await databases()).toContain('staging');

    const bad = await runCli(['import', '--input', join(dir, 'copy.jsonl.gz'), '--url', target.server.url, '--target-database', 'a b', '--state', state]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Pick another --target-database.');
  }, 300_000);
});
