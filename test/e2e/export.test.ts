import { mkdtemp, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup } from '../../src/core/backup/read.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { exportCollections } from '../../src/core/operations/export.js';
import { importBackup } from '../../src/core/operations/import.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';

let dir = '';
const { source, target } = useTwoServers();
let cloud: FaultProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-export-'));
  cloud = await startFaultProxy(source.server.url, { cloudQuota: true });
  // Seed the "Cloud" side directly (the product itself never writes to a source).
  const api = new ChromaApi(endpoint({ url: source.server.url }));
  const seed = async (name: string, count: number, space: 'cosine' | 'l2') => {
    const info = await api.createCollection({ name, metadata: { owner: 'cro' }, space });
    const records = makeRecords(count, { dim: 12, prefix: name, nullDocEvery: 11, nullMetaEvery: 23 });
    for (let i = 0; i < records.length; i += 250) await api.upsert(info.id, records.slice(i, i + 250), { base64: true });
  };
  await seed('cro_audit_issues', 1177, 'cosine');
  await seed('small_notes', 42, 'l2');
});
afterAll(async () => {
  await cloud?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('export from a Cloud-like endpoint', () => {
  it('pages within the 300-record quota, writes a file that imports and verifies on another server', async () => {
    const out = join(dir, 'cloud-backup.jsonl.gz');
    const statePath = join(dir, 'state.json');
    const cloudLike = endpoint({ url: cloud.url, cloud: true });
    const exported = await exportCollections({ source: cloudLike, out, pageSize: 1000, statePath });
    expect(exported.collections).toEqual([
      { name: 'cro_audit_issues', count: 1177 },
      { name: 'small_notes', count: 42 },
    ]);
    expect(cloud.stats.injected.quota ?? 0).toBe(0);
    expect(cloud.log.filter((entry) => entry.method !== 'GET' && !entry.path.endsWith('/get'))).toEqual([]);
    expect(existsSync(`${out}.partial`)).toBe(false);

    const summary = await inspectBackup(out);
    expect(summary.collections.map((header) => [header.name, header.count, header.space, header.dimension])).toEqual([
      ['cro_audit_issues', 1177, 'cosine', 12],
      ['small_notes', 42, 'l2', 12],
    ]);

    const into = endpoint({ url: target.server.url });
    await importBackup({ input: out, target: into, ifExists: 'abort', statePath });
    const verdict = await verifyBackup({ input: out, target: into });
    expect(verdict.ok).toBe(true);
    expect(verdict.collections.map((entry) => entry.count)).toEqual([1177, 42]);
  });

  it('the export command reads one collection through the CLI and explains an unreachable source', async () => {
    const out = join(dir, 'one.jsonl');
    const env = { CHROMA_MIGRATE_STATE: join(dir, 'state-cli.json') };
    const ok = await runCli(['export', '--source-url', cloud.url, '--collections', 'small_notes', '--out', out, '--json'], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, collections: [{ name: 'small_notes', count: 42 }] });
    expect((await stat(out)).size).toBeGreaterThan(0);

    const missing = await runCli(['export', '--source-url', cloud.url, '--collections', 'nope', '--out', join(dir, 'x.jsonl')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no collection named "nope"');
    expect(missing.stderr).toContain('cro_audit_issues, small_notes');

    const down = await runCli(['export', '--source-url', 'http://127.0.0.1:9', '--out', join(dir, 'y.jsonl')], env);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/Nothing accepts connections at 127\.0\.0\.1:9 \(connection refused\)/);
    expect(down.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  }, 120_000);
});
