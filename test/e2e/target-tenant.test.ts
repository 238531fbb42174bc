/**
 * A source's second tenant copied into a target: without a place of its own it went into the
 * target's default tenant, where a collection of the same name already held the first tenant's
 * records, and the two were mixed. --target-tenant names the target's tenant: created by a run
 * that writes (a new tenant holds no database, not even default_database), only named by a dry
 * run, read by verify, and kept by a run that continues after an interruption.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { chromaRequest } from '../../src/core/chroma/http.js';
import { ensureDatabase } from '../../src/core/chroma/databases.js';
import { tenantExists } from '../../src/core/chroma/tenant.js';
import { startChromaServer } from '../../src/core/local-server/chroma-server.js';
import { loadState } from '../../src/core/state/store.js';
import { startTestServer, useTwoServers } from '../helpers/chroma.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

const { source, target } = useTwoServers();
let dir = '';
let folder = '';

const createTenant = (url: string, name: string) => chromaRequest(endpoint({ url }), 'POST', '/api/v2/tenants', { body: { name } });

async function fill(url: string, tenant: string, database: string, name: string, count: number): Promise<void> {
  const at = endpoint({ url, tenant, database });
  await ensureDatabase(at, database);
  const api = new ChromaApi(at);
  const info = await api.createCollection({ name, metadata: null, space: 'l2' });
  for (let start = 0; start < count; start += 1000) {
    await api.upsert(info.id, makeRecords(count, { dim: 4, prefix: `${tenant}-${name}` }).slice(start, start + 1000), { base64: true });
  }
}

/** The ids a target collection holds, or null when it has no collection of that name. */
async function idsIn(url: string, tenant: string, database: string, name: string): Promise<string[] | null> {
  const api = new ChromaApi(endpoint({ url, tenant, database }));
  const info = await api.findCollection(name);
  if (!info) return null;
  const path = `/api/v2/tenants/${tenant}/databases/${database}/collections/${info.id}/get`;
  const got = await chromaRequest<{ ids: string[] }>(endpoint({ url }), 'POST', path, { body: { include: [], limit: 100_000 } });
  return [...got.ids].sort();
}

const prefixes = (ids: string[] | null) => [...new Set((ids ?? []).map((id) => id.replace(/-\d+$/, '')))];

beforeAll(async () => {
  dir = await makeTempDir();
  // A data folder an app left: "coll" in default_tenant, and a "coll" of its own in tenant2.
  folder = join(dir, 'folder');
  const writer = await startChromaServer({ path: folder, logFile: join(dir, 'writer.log') });
  try {
    await fill(writer.url, 'default_tenant', 'default_database', 'coll', 7);
    await createTenant(writer.url, 'tenant2');
    await fill(writer.url, 'tenant2', 'default_database', 'coll', 9);
  } finally {
    await writer.stop();
    await rm(join(folder, 'chroma-server.pid'), { force: true });
  }
  // A server whose tenant team_b holds "notes" (in default_database, and "more" in db1).
  await createTenant(source.url, 'team_b');
  await fill(source.url, 'team_b', 'default_database', 'notes', 3000);
  await fill(source.url, 'team_b', 'db1', 'more', 5);
}, 300_000);
afterAll(() => removeDir(dir));

describe("a folder's second tenant, copied with --target-tenant", () => {
  it('the first tenant goes to default_tenant, and the hint names --target-tenant for the other', async () => {
    const run = await runCli(['copy', '--source-path', folder, '--url', target.url, '--all', '--out', join(dir, 'first.jsonl.gz'), '--state', join(dir, 'first.json')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Also in this folder: tenant tenant2 (database default_database), which this run does not read: run again with --tenant tenant2 --target-tenant tenant2.');
    expect(prefixes(await idsIn(target.url, 'default_tenant', 'default_database', 'coll'))).toEqual(['default_tenant-coll']);
  }, 300_000);

  it('a dry run names the tenant it would create and creates nothing', async () => {
    const state = join(dir, 'plan.json');
    const plan = await runCli(['copy', '--dry-run', '--source-path', folder, '--tenant', 'tenant2', '--target-tenant', 'tenant2', '--url', target.url, '--all', '--out', join(dir, 'plan.jsonl.gz'), '--state', state]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout + plan.stderr).toContain('The target has no tenant "tenant2": the copy would create it, with database "default_database" in it.');
    expect(await tenantExists(endpoint({ url: target.url, tenant: 'tenant2' }))).toBe(false);
    const sync = await runCli(['sync', '--dry-run', '--source-path', folder, '--tenant', 'tenant2', '--target-tenant', 'tenant2', '--url', target.url, '--all', '--state', state]);
    expect(sync.stderr).toContain('The target has no tenant "tenant2": a sync would create it, with database "default_database" in it.');
    expect(await tenantExists(endpoint({ url: target.url, tenant: 'tenant2' }))).toBe(false);
  }, 300_000);

  it('lands in that tenant, created, and not in default_tenant; verify reads the tenant it is given', async () => {
    const out = join(dir, 'tenant2.jsonl.gz');
    const state = join(dir, 'tenant2.json');
    const run = await runCli(['copy', '--source-path', folder, '--tenant', 'tenant2', '--target-tenant', 'tenant2', '--url', target.url, '--all', '--out', out, '--state', state]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Created tenant "tenant2" on ${target.url}`);
    expect(run.stderr).toContain(`Created database "default_database" in tenant "tenant2" on ${target.url}`);
    expect(run.stderr).not.toContain('To keep tenants apart');
    expect(prefixes(await idsIn(target.url, 'tenant2', 'default_database', 'coll'))).toEqual(['tenant2-coll']);
    expect(await idsIn(target.url, 'tenant2', 'default_database', 'coll')).toHaveLength(9);
    expect(prefixes(await idsIn(target.url, 'default_tenant', 'default_database', 'coll'))).toEqual(['default_tenant-coll']);
    expect(await idsIn(target.url, 'default_tenant', 'default_database', 'coll')).toHaveLength(7);

    const verify = await runCli(['verify', '--input', out, '--url', target.url, '--target-tenant', 'tenant2', '--state', state]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    // The same file against the default tenant's "coll" (the other tenant's records) is no match.
    const elsewhere = await runCli(['verify', '--input', out, '--url', target.url, '--state', join(dir, 'elsewhere.json')]);
    expect(elsewhere.code).toBe(1);
    const typo = await runCli(['verify', '--input', out, '--url', target.url, '--target-tenant', 'tennant2', '--state', join(dir, 'elsewhere.json')]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('The target has no tenant "tennant2": no run wrote there. Check --target-tenant');
    expect(await tenantExists(endpoint({ url: target.url, tenant: 'tennant2' }))).toBe(false);
    const status = await runCli(['status', '--state', state]);
    expect(status.stdout).toContain(`chroma-migrate verify --input ${out} --url ${target.url} --target-tenant tenant2`);

    // sync compares with the same tenant: nothing to do there.
    const sync = await runCli(['sync', '--source-path', folder, '--tenant', 'tenant2', '--target-tenant', 'tenant2', '--url', target.url, '--all', '--state', state]);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    expect(await idsIn(target.url, 'tenant2', 'default_database', 'coll')).toHaveLength(9);
  }, 300_000);

  it('import names the tenant a dry run would create, then creates it and lands there; verify reads it', async () => {
    const input = join(dir, 'tenant2.jsonl.gz');
    const state = join(dir, 'import.json');
    const plan = await runCli(['import', '--dry-run', '--input', input, '--url', target.url, '--target-tenant', 'team_z', '--state', state]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout + plan.stderr).toContain('The target has no tenant "team_z": the import would create it, with database "default_database" in it.');
    expect(await tenantExists(endpoint({ url: target.url, tenant: 'team_z' }))).toBe(false);
    const run = await runCli(['import', '--input', input, '--url', target.url, '--target-tenant', 'team_z', '--state', state]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toContain(`Created tenant "team_z" on ${target.url}`);
    expect(prefixes(await idsIn(target.url, 'team_z', 'default_database', 'coll'))).toEqual(['tenant2-coll']);
    const verify = await runCli(['verify', '--input', input, '--url', target.url, '--target-tenant', 'team_z', '--state', state]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 300_000);

  it('without --target-tenant the run says where it writes, and a collection holding records there is asked about', async () => {
    const run = await runCli(['copy', '--source-path', folder, '--tenant', 'tenant2', '--url', target.url, '--all', '--out', join(dir, 'mixed.jsonl.gz'), '--state', join(dir, 'mixed.json')]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('This run writes the source\'s tenant "tenant2" into the target\'s default tenant (default_tenant), beside what is there. To keep tenants apart on the target, add --target-tenant tenant2.');
    expect(run.stderr).toContain('Collection "coll" already exists with 7 records.');
    expect(prefixes(await idsIn(target.url, 'default_tenant', 'default_database', 'coll'))).toEqual(['default_tenant-coll']);
  }, 300_000);

  it('a tenant name no server takes is refused before anything is written', async () => {
    const run = await runCli(['copy', '--source-path', folder, '--tenant', 'tenant2', '--target-tenant', 'ab', '--url', target.url, '--all', '--out', join(dir, 'ab.jsonl.gz'), '--state', join(dir, 'ab.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The target cannot create tenant "ab"');
    expect(run.stderr).toContain('Pick another --target-tenant.');
    expect(await tenantExists(endpoint({ url: target.url, tenant: 'ab' }))).toBe(false);
    expect(existsSync(join(dir, 'ab.jsonl.gz'))).toBe(false);
  }, 300_000);
});

describe("a server's tenant, copied with --target-tenant", () => {
  it('an interrupted copy continues into the same tenant, and status prints the command with it', async () => {
    const out = join(dir, 'team_b.jsonl.gz');
    const state = join(dir, 'team_b.json');
    // The target behind a proxy that slows each write, so that Ctrl-C finds the copy mid-way.
    const proxy = await startFaultProxy(target.url, { delayMs: 300, faultPaths: /\/upsert$/ });
    try {
      const args = ['copy', '--source-url', source.url, '--tenant', 'team_b', '--target-tenant', 'team_b', '--url', proxy.url, '--all', '--out', out, '--state', state, '--batch', '100'];
      const stop = new AbortController();
      const first = runCli(args, {}, stop.signal);
      const deadline = Date.now() + 120_000;
      while (!(await loadState(state)).imports.some((entry) => entry.committed > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      stop.abort();
      expect((await first).code).toBe(130);
      const saved = await loadState(state);
      expect(saved.imports.map((entry) => entry.target)).toEqual([`${proxy.url}/team_b/default_database`]);
      const committed = saved.imports[0]!.committed;
      expect(committed).toBeGreaterThan(0);
      expect(committed).toBeLessThan(3000);

      const status = await runCli(['status', '--state', state]);
      expect(status.stdout).toMatch(/--tenant team_b --target-tenant team_b --url http:\/\/\S+ --all/);

      proxy.setRules({});
      const again = await runCli(args);
      expect(again.code, again.stderr).toBe(0);
      expect(await idsIn(target.url, 'team_b', 'default_database', 'notes')).toHaveLength(3000);
      expect(await idsIn(target.url, 'default_tenant', 'default_database', 'notes')).toBeNull();
    } finally {
      await proxy.close();
    }
  }, 300_000);

  it('--all-databases creates the tenant once, then each database in it', async () => {
    const run = await runCli(['copy', '--all-databases', '--source-url', source.url, '--tenant', 'team_b', '--target-tenant', 'team_c', '--url', target.url, '--all', '--out', join(dir, 'all.jsonl.gz'), '--state', join(dir, 'all.json')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Created tenant "team_c" on the target.');
    expect(await idsIn(target.url, 'team_c', 'db1', 'more')).toHaveLength(5);
    expect(await idsIn(target.url, 'team_c', 'default_database', 'notes')).toHaveLength(3000);
    expect(await idsIn(target.url, 'default_tenant', 'db1', 'more')).toBeNull();

    // That file holds both databases: an import of it into a tenant the target lacks, planned, then run.
    const input = join(dir, 'all.jsonl.gz');
    const plan = await runCli(['import', '--dry-run', '--input', input, '--url', target.url, '--target-tenant', 'team_y', '--state', join(dir, 'all-import.json')]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout + plan.stderr).toContain('The target has no tenant "team_y": the import would create it.');
    expect(plan.stdout + plan.stderr).toContain('Database db1: absent on the target → create it');
    expect(await tenantExists(endpoint({ url: target.url, tenant: 'team_y' }))).toBe(false);
    const run2 = await runCli(['import', '--input', input, '--url', target.url, '--target-tenant', 'team_y', '--state', join(dir, 'all-import.json')]);
    expect(run2.code, run2.stdout + run2.stderr).toBe(0);
    expect(await idsIn(target.url, 'team_y', 'db1', 'more')).toHaveLength(5);
    expect(await idsIn(target.url, 'team_y', 'default_database', 'notes')).toHaveLength(3000);
  }, 300_000);
});

describe('an older target (bindings 1.0.1)', () => {
  it('has the tenant created, with its database, and the import lands and verifies there', async () => {
    const old = await startTestServer({ release: 'old' });
    try {
      const input = join(dir, 'tenant2.jsonl.gz');
      const state = join(dir, 'old.json');
      const run = await runCli(['import', '--input', input, '--url', old.server.url, '--target-tenant', 'team_old', '--target-database', 'restored', '--state', state]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stderr).toContain(`Created tenant "team_old" on ${old.server.url}`);
      expect(run.stderr).toContain(`Created database "restored" in tenant "team_old" on ${old.server.url}`);
      expect(await idsIn(old.server.url, 'team_old', 'restored', 'coll')).toHaveLength(9);
      expect(await idsIn(old.server.url, 'default_tenant', 'default_database', 'coll')).toBeNull();
      const verify = await runCli(['verify', '--input', input, '--url', old.server.url, '--target-tenant', 'team_old', '--target-database', 'restored', '--state', state]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    } finally {
      await old.cleanup();
    }
  }, 300_000);
});
