import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { startTestServer } from '../helpers/chroma.js';
import { exitOf, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

let dir = '';
let target: Awaited<ReturnType<typeof startTestServer>>;
let slow: FaultProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-resume-'));
  target = await startTestServer();
  slow = await startFaultProxy(target.server.url);
});
afterAll(async () => {
  await slow?.close();
  await target?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function committed(statePath: string): Promise<number> {
  try {
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { imports: Array<{ committed: number }> };
    return state.imports[0]?.committed ?? 0;
  } catch {
    return 0; // not written yet
  }
}

const upserts = (proxy: FaultProxy) => proxy.log.filter((entry) => entry.path.endsWith('/upsert')).length;

describe('kill -9 in the middle of an import, then the same command again', () => {
  it('completes with the exact count, re-sending no more than the batches in flight', async () => {
    const input = join(dir, 'backup.json');
    const records = makeRecords(1177, { dim: 16 });
    await writePythonRowsJson(input, 'cro_audit_issues', records, { metadata: { 'hnsw:space': 'l2' } });
    const statePath = join(dir, 'state.json');
    const args = ['import', '--input', input, '--url', slow.url, '--batch', '50', '--concurrency', '3', '--if-exists', 'abort'];
    const env = { CHROMA_MIGRATE_STATE: statePath };

    slow.setRules({ delayMs: 250, faultPaths: /\/upsert$/ });
    const first = spawnCli(args, { env });
    const deadline = Date.now() + 60_000;
    while ((await committed(statePath)) < 300 && Date.now() < deadline && first.exitCode === null) {
      await new Promise((wait) => setTimeout(wait, 50));
    }
    first.kill('SIGKILL');
    await exitOf(first);
    const atKill = await committed(statePath);
    expect(atKill).toBeGreaterThanOrEqual(300);
    expect(atKill).toBeLessThan(1177);
    const sentBeforeKill = upserts(slow);

    slow.setRules({});
    const second = spawnCli(args, { env });
    const code = await exitOf(second);
    expect(second.output()).toContain(`resuming at ${atKill.toLocaleString('en-US')}`);
    expect(code).toBe(0);
    expect(second.output()).toMatch(/1,177 of 1,177 records \(resumed from [\d,]+\)/);

    const batches = Math.ceil(1177 / 50);
    expect(sentBeforeKill + (upserts(slow) - sentBeforeKill)).toBeLessThanOrEqual(batches + 3);

    const verdict = await verifyBackup({ input, target: endpoint({ url: target.server.url }) });
    expect(verdict.ok).toBe(true);
    expect(verdict.collections[0]?.count).toBe(1177);
  }, 120_000);
});

describe('Ctrl-C during an import', () => {
  it('stops at a safe point, exits 130 saying how to resume, and the next run completes', async () => {
    const input = join(dir, 'ctrl-c.json');
    await writePythonRowsJson(input, 'ctrl_c_demo', makeRecords(600, { dim: 8 }), { metadata: { 'hnsw:space': 'l2' } });
    const statePath = join(dir, 'state-ctrl-c.json');
    const args = ['import', '--input', input, '--url', slow.url, '--batch', '50', '--concurrency', '2', '--if-exists', 'abort'];
    slow.setRules({ delayMs: 200, faultPaths: /\/upsert$/ });
    const first = spawnCli(args, { env: { CHROMA_MIGRATE_STATE: statePath } });
    while ((await committed(statePath)) < 100 && first.exitCode === null) await new Promise((wait) => setTimeout(wait, 50));
    first.kill('SIGINT');
    expect(await exitOf(first)).toBe(130);
    expect(first.output()).toContain('Run the same command again to continue');
    expect(first.output()).not.toMatch(/\n\s+at /);

    slow.setRules({});
    const second = spawnCli(args, { env: { CHROMA_MIGRATE_STATE: statePath } });
    expect(await exitOf(second)).toBe(0);
    expect(second.output()).toMatch(/600 of 600 records \(resumed from [\d,]+\)/);
  }, 120_000);
});
