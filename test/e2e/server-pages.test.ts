/**
 * Record pages off Cloud: by default as many records a read as fit the answer's size budget
 * (Chroma pages by offset, so fewer pages skip less on the server); a server answering with Cloud's quota error gets
 * Cloud's 300 from then on; --page-size wins; and a resume continues at the record it stopped
 * at when the page size changed between the runs.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup } from '../../src/core/backup/read.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { exportCollections } from '../../src/core/operations/export.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { serverPageSize } from '../../src/core/sources/server/read-window.js';
import { startTestServer } from '../helpers/chroma.js';
import { exitOf, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';

const TOTAL = 2_500;
/** Records a page at this test's 16-d. */
const SERVER_PAGE = serverPageSize(16);
let dir = '';
let source: Awaited<ReturnType<typeof startTestServer>>;
let plain: FaultProxy;
let quota: FaultProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-server-pages-'));
  source = await startTestServer();
  plain = await startFaultProxy(source.server.url, {});
  quota = await startFaultProxy(source.server.url, { cloudQuota: true });
  const api = new ChromaApi(endpoint({ url: source.server.url }));
  const info = await api.createCollection({ name: 'docs', metadata: null, space: 'l2' });
  const records = makeRecords(TOTAL, { dim: 16 });
  for (let i = 0; i < records.length; i += 500) await api.upsert(info.id, records.slice(i, i + 500), { base64: true });
}, 120_000);
afterAll(async () => {
  await Promise.all([plain?.close(), quota?.close()]);
  await source?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const gets = (proxy: FaultProxy, status?: number) => proxy.log.filter((entry) => entry.path.endsWith('/get') && (status === undefined || entry.status === status)).length;

async function exportVia(proxy: FaultProxy, name: string, pageSize?: number) {
  const out = join(dir, `${name}.jsonl.gz`);
  proxy.resetStats();
  const result = await exportCollections({ source: endpoint({ url: proxy.url }), out, statePath: join(dir, `${name}.state.json`), ...(pageSize ? { pageSize } : {}) });
  return { out, result };
}

describe('record pages from a server that is not Cloud', () => {
  it('reads a collection\'s first page beside its count, not after it', async () => {
    // The first count is held 2 s at the proxy: the first page's read arrives while it waits.
    const slowCount = await startFaultProxy(source.server.url, { delayMs: 2_000, maxDelays: 1, faultPaths: /\/count$/ });
    try {
      const { result } = await exportVia(slowCount, 'beside-count');
      expect(result.collections.map((collection) => collection.count)).toEqual([TOTAL]);
      const count = slowCount.log.find((entry) => entry.path.endsWith('/count'));
      const firstPage = slowCount.log.find((entry) => entry.path.endsWith('/get'));
      expect(count?.fault).toBe('delay');
      expect(firstPage!.receivedAt).toBeLessThan(count!.endedAt!);
    } finally {
      await slowCount.close();
    }
  }, 60_000);

  it('are sized by the dimension: 1,000 at 384-d, fewer at 768-d, never under Cloud\'s 300', () => {
    expect([16, 384, 768, 1536, 8192].map(serverPageSize)).toEqual([1_000, 1_000, 525, 300, 300]);
    expect(serverPageSize(null)).toBe(1_000);
  });

  it(`reads ${SERVER_PAGE} records a page by default, and --page-size wins`, async () => {
    const { out, result } = await exportVia(plain, 'default');
    expect(result.collections).toEqual([{ name: 'docs', count: TOTAL }]);
    // The record pages, then the end check's one page of ids.
    expect(gets(plain)).toBe(Math.ceil(TOTAL / SERVER_PAGE) + 1);
    expect((await verifyBackup({ input: out, target: endpoint({ url: source.server.url }) })).ok).toBe(true);
    await exportVia(plain, 'asked', 250);
    expect(gets(plain)).toBe(TOTAL / 250 + 1 + 1);
  }, 120_000);

  it('drops to 300 for good when the server answers with Cloud\'s quota error, and only by default', async () => {
    const { out, result } = await exportVia(quota, 'quota');
    expect(result.collections).toEqual([{ name: 'docs', count: TOTAL }]);
    // Refused: the first pages in flight and the listing's first page; after that every read is within the quota.
    expect(gets(quota, 422)).toBeLessThanOrEqual(3);
    expect(gets(quota, 200)).toBe(2 * Math.ceil(TOTAL / 300));
    expect((await inspectBackup(out)).collections[0]?.count).toBe(TOTAL);
    expect((await verifyBackup({ input: out, target: endpoint({ url: source.server.url }) })).ok).toBe(true);
    // Asked for by the user: the quota error is theirs to see, never a silent change.
    await expect(exportVia(quota, 'asked-quota', 1_000)).rejects.toMatchObject({ code: 'QUOTA' });
  }, 120_000);

  it('resumes at the record it stopped at when the page size changed between the runs', async () => {
    const out = join(dir, 'resumed.jsonl.gz');
    const statePath = join(dir, 'resumed.state.json');
    const args = ['export', '--source-url', plain.url, '--out', out, '--concurrency', '1'];
    plain.setRules({ delayMs: 100, faultPaths: /\/get$/ });
    const first = spawnCli([...args, '--page-size', '70'], { env: { CHROMA_MIGRATE_STATE: statePath } });
    while ((await exportedSoFar(statePath)) < 700 && first.exitCode === null) await new Promise((wait) => setTimeout(wait, 50));
    first.kill('SIGKILL');
    await exitOf(first);
    const resumedAt = await exportedSoFar(statePath);
    // Not a multiple of the default page: the second run's pages start where the first stopped.
    expect(resumedAt % 70).toBe(0);
    expect(resumedAt).toBeGreaterThanOrEqual(700);
    expect(resumedAt).toBeLessThan(TOTAL);
    plain.setRules({});
    plain.resetStats();
    const second = spawnCli(args, { env: { CHROMA_MIGRATE_STATE: statePath } });
    expect(await exitOf(second)).toBe(0);
    expect(second.output()).toContain(`resuming at ${resumedAt.toLocaleString('en-US')}`);
    expect(gets(plain)).toBeLessThanOrEqual(Math.ceil((TOTAL - resumedAt) / SERVER_PAGE) + 2);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect((await inspectBackup(out)).collections[0]?.count).toBe(TOTAL);
    const verdict = await verifyBackup({ input: out, target: endpoint({ url: source.server.url }) });
    expect(verdict).toMatchObject({ ok: true, collections: [{ missing: 0, extra: 0, differing: 0 }] });
  }, 180_000);
});

async function exportedSoFar(statePath: string): Promise<number> {
  try {
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { exports: Array<{ current: { offset: number } | null }> };
    return state.exports[0]?.current?.offset ?? 0;
  } catch {
    return 0;
  }
}
