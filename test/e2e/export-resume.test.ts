import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup } from '../../src/core/backup/read.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { startTestServer } from '../helpers/chroma.js';
import { exitOf, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';

let dir = '';
let source: Awaited<ReturnType<typeof startTestServer>>;
let slow: FaultProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-export-resume-'));
  source = await startTestServer();
  slow = await startFaultProxy(source.server.url, { cloudQuota: true });
  const api = new ChromaApi(endpoint({ url: source.server.url }));
  const info = await api.createCollection({ name: 'cro_audit_issues', metadata: null, space: 'l2' });
  const records = makeRecords(1177, { dim: 16 });
  for (let i = 0; i < records.length; i += 300) await api.upsert(info.id, records.slice(i, i + 300), { base64: true });
});
afterAll(async () => {
  await slow?.close();
  await source?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function exportedSoFar(statePath: string): Promise<number> {
  try {
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { exports: Array<{ current: { offset: number } | null }> };
    return state.exports[0]?.current?.offset ?? 0;
  } catch {
    return 0;
  }
}

describe('kill -9 in the middle of an export, then the same command again', () => {
  it('continues from the checkpoint and writes a complete file that verifies', async () => {
    const out = join(dir, 'backup.jsonl.gz');
    const statePath = join(dir, 'state.json');
    const args = ['export', '--source-url', slow.url, '--out', out, '--page-size', '50', '--concurrency', '1'];
    slow.setRules({ cloudQuota: true, delayMs: 150, faultPaths: /\/get$/ });
    const first = spawnCli(args, { env: { CHROMA_MIGRATE_STATE: statePath } });
    while ((await exportedSoFar(statePath)) < 300 && first.exitCode === null) await new Promise((wait) => setTimeout(wait, 50));
    first.kill('SIGKILL');
    await exitOf(first);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(true);
    const resumedAt = await exportedSoFar(statePath);
    expect(resumedAt).toBeGreaterThanOrEqual(300);

    slow.setRules({ cloudQuota: true });
    const gets = slow.log.filter((entry) => entry.path.endsWith('/get')).length;
    const second = spawnCli(args, { env: { CHROMA_MIGRATE_STATE: statePath } });
    expect(await exitOf(second)).toBe(0);
    expect(second.output()).toContain(`resuming at ${resumedAt.toLocaleString('en-US')}`);
    // The second run reads only what was not checkpointed (plus the count, and the end check's
    // ids-only listing of the source, 300 ids a page).
    expect(slow.log.filter((entry) => entry.path.endsWith('/get')).length - gets).toBeLessThanOrEqual(Math.ceil((1177 - resumedAt) / 50) + 2 + Math.ceil(1177 / 300));
    expect(existsSync(`${out}.partial`)).toBe(false);

    const summary = await inspectBackup(out);
    expect(summary.collections[0]?.count).toBe(1177);
    const verdict = await verifyBackup({ input: out, target: endpoint({ url: source.server.url }) });
    expect(verdict.ok).toBe(true);
  }, 120_000);
});
