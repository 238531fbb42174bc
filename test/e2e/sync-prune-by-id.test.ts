/**
 * sync --prune while the source deletes one record and adds another between the pages of its
 * listing: the count holds, yet the pages after the delete shifted by one and an id the source
 * still holds was missing from the listing. Deleting on that listing alone deleted a live record
 * from the target. The listing's pages now overlap by one id, so the shift shows and the listing
 * is read again; and every id to delete is still asked for at the source by id first: one the
 * source holds by then is named and sent, never deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { generateRecords } from '../helpers/fixtures.js';
import { shiftListing, type ListingShift } from '../helpers/listing-shift.js';

const { source, target } = useTwoServers();
/** More than one listing page off Cloud (20,000 ids a page). */
const TOTAL = 20_500;
const DELETED = 'r-008000';
let proxy: FaultProxy;
let sourceId = '';
let shift: ListingShift;

async function seed(url: string): Promise<string> {
  const api = new ChromaApi(endpoint({ url }));
  const info = await api.createCollection({ name: 'docs', metadata: null, space: 'l2' });
  const records = [...generateRecords(TOTAL, { dim: 2, prefix: 'r' })];
  for (let from = 0; from < records.length; from += 5_000) await api.upsert(info.id, records.slice(from, from + 5_000), { base64: true });
  return info.id;
}

async function allIds(url: string): Promise<Set<string>> {
  const api = new ChromaApi(endpoint({ url }));
  const id = (await api.findCollection('docs'))!.id;
  return new Set((await api.get(id, { limit: 100_000, offset: 0, include: [] })).ids);
}

beforeAll(async () => {
  [sourceId] = await Promise.all([seed(source.url), seed(target.url)]);
  // Once its listing's first page is answered, the source deletes one record and adds another.
  shift = shiftListing(() => proxy, {
    change: async () => {
      const api = new ChromaApi(endpoint({ url: source.url }));
      await api.deleteRecords(sourceId, [DELETED]);
      await api.upsert(sourceId, [{ id: 'fresh-0', document: 'fresh', metadata: null, embedding: [0.5, 0.5], uri: null }], { base64: true });
    },
  });
  proxy = await startFaultProxy(source.url, shift.rules);
}, 600_000);
afterAll(async () => {
  await proxy?.close();
});

describe('sync --prune while the source changes during its listing', () => {
  it('deletes nothing the source holds: the shifted listing is read again, and only the deleted record goes', async () => {
    const run = await runCli(['sync', '--collections', 'docs', '--source-url', proxy.url, '--url', target.url, '--prune', '--yes']);
    expect(shift.fired).toBe(true);
    const [atSource, onTarget] = await Promise.all([allIds(source.url), allIds(target.url)]);
    expect(onTarget).toEqual(atSource);
    expect(run.stderr).not.toContain('listed wrongly');
    expect(run.stderr).toContain(`removed    1: ${DELETED}`);
    expect(run.stderr).toMatch(/deleted\s+1\n/);
    expect(run.code, run.stderr).toBe(0);
  }, 600_000);

  it('a record the source holds again by the time of the delete is sent, not deleted', async () => {
    const back = { id: 'back-1', document: 'back', metadata: null, embedding: [0.25, 0.75], uri: null };
    await new ChromaApi(endpoint({ url: target.url })).upsert((await new ChromaApi(endpoint({ url: target.url })).findCollection('docs'))!.id, [back], { base64: true });
    // Asked for by id twice: by the comparison (the source lacks it), then just before the delete, by which time it is back.
    let asked = 0;
    proxy.setRules({
      beforeForward: {
        paths: /\/get$/,
        run: async (request) => {
          if (!(request.ids as string[] | undefined)?.includes(back.id) || ++asked !== 2) return;
          await new ChromaApi(endpoint({ url: source.url })).upsert(sourceId, [back], { base64: true });
        },
      },
    });
    const run = await runCli(['sync', '--collections', 'docs', '--source-url', proxy.url, '--url', target.url, '--prune', '--yes']);
    expect(asked).toBeGreaterThanOrEqual(2);
    // The one the source holds again stays.
    expect(run.stderr).toContain('removed    1: back-1');
    expect(run.stderr).toContain('listed wrongly 1: back-1');
    expect(run.stderr).toMatch(/deleted\s+0\n/);
    expect((await allIds(target.url)).has(DELETED)).toBe(false);
    expect((await allIds(target.url)).has(back.id)).toBe(true);
    expect(run.code, run.stderr).toBe(0);
    await new ChromaApi(endpoint({ url: source.url })).deleteRecords(sourceId, [back.id]);
  }, 600_000);

  it('the next run deletes the record the source deleted since, and only it', async () => {
    const run = await runCli(['sync', '--collections', 'docs', '--source-url', source.url, '--url', target.url, '--prune', '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('removed    1: back-1');
    expect(await allIds(target.url)).toEqual(await allIds(source.url));
  }, 600_000);
});
