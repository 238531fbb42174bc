/**
 * A copy's closing id check against real servers: both sides listed into compact sets (several
 * pages each, through a proxy holding reads to Cloud's quota on one side), then compared. Equal
 * sets pass; a missing id and an extra id are each counted and named exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { emptyVerdict } from '../../src/core/sinks/verifier/checker.js';
import { checkIdsAgainstSource } from '../../src/core/sinks/verifier/source-pass.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { startTestServer } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
let quota: FaultProxy;
const api = () => new ChromaApi(endpoint({ url: server.server.url }));

beforeAll(async () => {
  server = await startTestServer();
  quota = await startFaultProxy(server.server.url, { cloudQuota: true });
}, 120_000);
afterAll(async () => {
  await quota?.close();
  await server?.cleanup();
});

async function seed(name: string, records: BackupRecord[]): Promise<void> {
  const info = await api().createCollection({ name, metadata: null, space: 'l2' });
  for (let from = 0; from < records.length; from += 500) await api().upsert(info.id, records.slice(from, from + 500), { base64: true });
}

/** The closing check of `target` against `source` (the source read through Cloud's quota: pages of 300). */
async function check(source: string, target: string, refused?: ReadonlySet<string>) {
  const verdict = { ...emptyVerdict(target, 0), exists: true, count: 0 };
  await checkIdsAgainstSource(verdict, source, { source: endpoint({ url: quota.url }), target: endpoint({ url: server.server.url }), ...(refused ? { refused } : {}) });
  return verdict;
}

describe('the closing id check', () => {
  // Ids with bytes beyond ASCII: compared as UTF-8 bytes.
  const records = makeRecords(1_300, { dim: 4, prefix: 'dé-' });

  it('passes when the target holds exactly the source\'s ids (in another order)', async () => {
    await seed('same_src', records);
    await seed('same_tgt', [...records].reverse());
    const verdict = await check('same_src', 'same_tgt');
    expect(verdict).toMatchObject({ missing: 0, missingIds: [], extra: 0, extraIds: [] });
  }, 120_000);

  it('names a missing id and an extra id', async () => {
    const lost = records[777]!.id;
    await seed('diff_src', records);
    await seed('diff_tgt', [...records.filter((record) => record.id !== lost), { ...records[0]!, id: 'stray-ü' }]);
    const verdict = await check('diff_src', 'diff_tgt');
    expect(verdict).toMatchObject({ missing: 1, missingIds: [lost], extra: 1, extraIds: ['stray-ü'], ok: false });
  }, 120_000);

  it('excuses ids set aside as refused, and counts one the target holds anyway as extra', async () => {
    const [aside, held] = [records[5]!.id, records[6]!.id];
    await seed('refused_src', records);
    await seed('refused_tgt', records.filter((record) => record.id !== aside));
    const verdict = await check('refused_src', 'refused_tgt', new Set([aside, held]));
    expect(verdict).toMatchObject({ missing: 0, extra: 1, extraIds: [held] });
  }, 120_000);
});
