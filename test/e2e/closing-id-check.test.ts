/**
 * A copy's closing id check against real servers: both sides listed into compact sets (several
 * pages each, through a proxy holding reads to Cloud's quota on one side), then compared. Equal
 * sets pass; a missing id and an extra id are each counted and named exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { emptyVerdict } from '../../src/core/sinks/verifier/checker.js';
import { checkIdsAgainstSource, checkIdsTargetFirst } from '../../src/core/sinks/verifier/source-pass.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { startTestServer } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
let quota: FaultProxy;
const api = () => new ChromaApi(endpoint({ url: server.server.url }));

beforeAll(async () => {
  server = await startTestServer();
  quota = await startFaultProxy(server.server.url, { cloudQuota: true, keepBodies: true });
}, 120_000);
afterAll(async () => {
  await quota?.close();
  await server?.cleanup();
});

async function seed(name: string, records: BackupRecord[]): Promise<void> {
  const info = await api().createCollection({ name, metadata: null, space: 'l2' });
  for (let from = 0; from < records.length; from += 500) await api().upsert(info.id, records.slice(from, from + 500), { base64: true });
}

/**
 * The closing check of `target` against `source` (the source read through Cloud's quota: pages of
 * 300): both sides listed side by side, or the target first and the source (as Cloud) against it.
 */
const ways = {
  'side by side': (verdict: ReturnType<typeof emptyVerdict>, source: string, sides: Parameters<typeof checkIdsAgainstSource>[2]) => checkIdsAgainstSource(verdict, source, sides),
  'the target first, the source by id': (verdict: ReturnType<typeof emptyVerdict>, source: string, sides: Parameters<typeof checkIdsAgainstSource>[2]) =>
    checkIdsTargetFirst(verdict, source, { ...sides, source: endpoint({ url: quota.url, cloud: true }) }),
};

/** Ids-only reads of the source by offset (a listing's pages) since `from` in the proxy's log. */
const offsetListings = (from: number) => quota.log.slice(from).filter((entry) => entry.path.endsWith('/get') && entry.body?.includes('"include":[]') && entry.body.includes('"offset"')).length;

describe.each(Object.entries(ways))('the closing id check, %s', (way, run) => {
  const check = async (source: string, target: string, refused?: ReadonlySet<string>) => {
    const verdict = { ...emptyVerdict(target, 0), exists: true, count: 0 };
    await run(verdict, source, { source: endpoint({ url: quota.url }), target: endpoint({ url: server.server.url }), ...(refused ? { refused } : {}) });
    return verdict;
  };
  const named = (name: string) => `${name}_${way === 'side by side' ? 'a' : 'b'}`;
  // Ids with bytes beyond ASCII: compared as UTF-8 bytes.
  const records = makeRecords(1_300, { dim: 4, prefix: 'dé-' });

  it('passes when the target holds exactly the source\'s ids (in another order)', async () => {
    await seed(named('same_src'), records);
    await seed(named('same_tgt'), [...records].reverse());
    const from = quota.log.length;
    const verdict = await check(named('same_src'), named('same_tgt'));
    expect(verdict).toMatchObject({ missing: 0, missingIds: [], extra: 0, extraIds: [] });
    // By id, the equal sets are proven without a page by offset.
    if (way !== 'side by side') expect(offsetListings(from)).toBe(0);
    else expect(offsetListings(from)).toBeGreaterThan(0);
  }, 120_000);

  it('names a missing id and an extra id', async () => {
    const lost = records[777]!.id;
    await seed(named('diff_src'), records);
    await seed(named('diff_tgt'), [...records.filter((record) => record.id !== lost), { ...records[0]!, id: 'stray-ü' }]);
    const verdict = await check(named('diff_src'), named('diff_tgt'));
    expect(verdict).toMatchObject({ missing: 1, missingIds: [lost], extra: 1, extraIds: ['stray-ü'], ok: false });
  }, 120_000);

  it('excuses ids set aside as refused, and counts one the target holds anyway as extra', async () => {
    const [aside, held] = [records[5]!.id, records[6]!.id];
    await seed(named('refused_src'), records);
    await seed(named('refused_tgt'), records.filter((record) => record.id !== aside));
    const verdict = await check(named('refused_src'), named('refused_tgt'), new Set([aside, held]));
    expect(verdict).toMatchObject({ missing: 0, extra: 1, extraIds: [held] });
  }, 120_000);

  it('names the ids the target holds beyond a source that lacks them (proven by id on Cloud)', async () => {
    await seed(named('fewer_src'), records.slice(0, 1_200));
    await seed(named('fewer_tgt'), records);
    const verdict = await check(named('fewer_src'), named('fewer_tgt'));
    const beyond = new Set(records.slice(1_200).map((record) => record.id));
    expect(verdict).toMatchObject({ missing: 0, extra: 100 });
    expect(verdict.extraIds.length).toBeGreaterThan(0);
    expect(verdict.extraIds.every((id) => beyond.has(id))).toBe(true);
  }, 120_000);
});
