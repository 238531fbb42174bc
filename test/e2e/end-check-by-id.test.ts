/**
 * A copy whose source deletes one record and adds another between the pages of its end check's
 * listing: the count holds, so the listing passes its check, yet an id the source still holds is
 * missing from it. The end check took that id for one deleted at the source: it left it out of
 * the backup, and the copy deleted it from the target. An id is dropped only once the source,
 * asked for it by id, lacks it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, readAll, removeDir } from '../helpers/backup.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { generateRecords } from '../helpers/fixtures.js';
import { shiftListing } from '../helpers/listing-shift.js';

const { source, target } = useTwoServers();
/** More than one listing page off Cloud (20,000 ids a page). */
const TOTAL = 20_500;
let proxy: FaultProxy;
let sourceId = '';
let dir = '';
/** The source changed during the end check's listing (the hook ran). */
let changed = false;

async function allIds(url: string): Promise<Set<string>> {
  const api = new ChromaApi(endpoint({ url }));
  const id = (await api.findCollection('docs'))!.id;
  return new Set((await api.get(id, { limit: 100_000, offset: 0, include: [] })).ids);
}

beforeAll(async () => {
  dir = await makeTempDir();
  const api = new ChromaApi(endpoint({ url: source.url }));
  sourceId = (await api.createCollection({ name: 'docs', metadata: null, space: 'l2' })).id;
  const records = [...generateRecords(TOTAL, { dim: 2, prefix: 'r' })];
  for (let from = 0; from < records.length; from += 5_000) await api.upsert(sourceId, records.slice(from, from + 5_000), { base64: true });
  // Once the end check's listing has had its first page answered (the copy's pages carry
  // records), the source deletes one record and adds another.
  const shift = shiftListing(() => proxy, {
    change: async () => {
      changed = true;
      await api.deleteRecords(sourceId, ['r-008000']);
      await api.upsert(sourceId, [{ id: 'fresh-0', document: 'fresh', metadata: null, embedding: [0.5, 0.5], uri: null }], { base64: true });
    },
  });
  proxy = await startFaultProxy(source.url, shift.rules);
}, 600_000);
afterAll(async () => {
  await proxy?.close();
  await removeDir(dir);
});

describe('copy while the source changes during its end check', () => {
  it('keeps, in the backup and on the target, every record the source still holds', async () => {
    const out = join(dir, 'copy.jsonl');
    const run = await runCli(['copy', '--collections', 'docs', '--source-url', proxy.url, '--url', target.url, '--out', out, '--yes']);
    expect(changed).toBe(true);
    const atSource = await allIds(source.url);
    const onTarget = await allIds(target.url);
    expect([...atSource].filter((id) => !onTarget.has(id)), run.stderr).toEqual([]);
    const inFile = new Set((await readAll(out, 'docs')).map((record) => record.id));
    expect([...atSource].filter((id) => !inFile.has(id))).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
  }, 600_000);
});
