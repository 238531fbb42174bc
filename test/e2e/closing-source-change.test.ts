/**
 * A copy's last word on a collection is one listing of each side: the source's once every page is
 * read (while the last records land), the target's once every record sent has landed. The source's
 * listing is also its export's end check: a record deleted at the source and one added there at
 * that moment are caught by it, the backup and the target follow them, and the closing check
 * compares the target with that same listing. The target's side is listed, never assumed: a record
 * deleted from the target and a stray one added there at the moment it is listed are named as
 * missing and extra.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { copyCollections } from '../../src/core/operations/copy.js';
import { describeVerdict } from '../../src/present/reports/verify-summary.js';
import { useTwoServers } from '../helpers/chroma.js';
import { makeRecords } from '../helpers/fixtures.js';

let dir = '';
const { source, target } = useTwoServers();
const sourceApi = () => new ChromaApi(endpoint({ url: source.server.url }));
const targetApi = () => new ChromaApi(endpoint({ url: target.server.url }));

/**
 * A pass-through proxy that runs `before` (once) ahead of the first ids-only read (`include: []`):
 * the first page of an id listing. `listings`: ids-only reads at offset 0, one per listing;
 * `pages`: reads of records by offset (the export's pages), so far. `each`: `before` runs ahead of
 * every listing instead (its first page), and that listing's pages wait for it.
 */
async function hookProxy(upstream: string, before: (path: string) => Promise<void>, each = false): Promise<{ url: string; listings: () => number; pages: () => number; close(): Promise<void> }> {
  const to = new URL(upstream);
  let hooked: Promise<void> | null = null;
  let listings = 0;
  let pages = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = new URL(req.url ?? '/', 'http://proxy.invalid').pathname;
      const idsOnly = req.method === 'POST' && path.endsWith('/get') && body.toString().includes('"include":[]');
      const first = idsOnly && body.toString().includes('"offset":0,');
      if (first) listings++;
      if (!idsOnly && path.endsWith('/get') && !body.toString().includes('"ids"')) pages++;
      if (each && first) hooked = before(path);
      else if (idsOnly) hooked ??= before(path);
      void (hooked ?? Promise.resolve()).then(() => {
        const forward = http.request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forward.on('error', () => res.destroy());
        forward.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    listings: () => listings,
    pages: () => pages,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function seed(name: string, prefix: string) {
  const records = makeRecords(1_200, { dim: 8, prefix });
  const info = await sourceApi().createCollection({ name, metadata: null, space: 'l2' });
  for (let from = 0; from < records.length; from += 300) await sourceApi().upsert(info.id, records.slice(from, from + 300), { base64: true });
  return { records, info };
}

/** Records on the target when `before` runs: every record the copy sent has landed by then. */
async function countOnTarget(name: string): Promise<number> {
  const onTarget = await targetApi().findCollection(name);
  return onTarget ? targetApi().count(onTarget.id) : 0;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-closing-change-'));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the source changed as a copy lists it, once every page is read', () => {
  it('brings the backup and the target to the source as listed, and the closing check agrees with that one listing', async () => {
    const NAME = 'late_change';
    const { records, info } = await seed(NAME, 'late');
    const deleted = records[500]!.id;
    const added = { ...records[0]!, id: 'late-added' };
    let pagesBefore = -1;
    const proxy = await hookProxy(source.server.url, async () => {
      pagesBefore = proxy.pages();
      await sourceApi().deleteRecords(info.id, [deleted]);
      await sourceApi().upsert(info.id, [added], { base64: true });
    });
    try {
      const result = await copyCollections({
        source: endpoint({ url: proxy.url, cloud: true }),
        target: endpoint({ url: target.server.url }),
        out: join(dir, 'late.jsonl.gz'),
        collections: [NAME],
        ifExists: 'abort',
        statePath: join(dir, 'state.json'),
      });
      // The source was listed once, and only once every page had been read (the 1,200 records
      // fill 4 pages of 300; no page was read after).
      expect(pagesBefore).toBeGreaterThanOrEqual(4);
      expect(proxy.pages()).toBe(pagesBefore);
      expect(proxy.listings()).toBe(1);
      expect(result.exported[0]).toMatchObject({ name: NAME, count: 1_200, added: 1, deleted: 1, deletedIds: [deleted] });
      expect(result.verify?.collections[0]).toMatchObject({ missing: 0, extra: 0, ok: true });
      expect(result.ok).toBe(true);
      const onTarget = (await targetApi().findCollection(NAME))!;
      expect((await targetApi().get(onTarget.id, { ids: [deleted, 'late-added'], include: [] })).ids).toEqual(['late-added']);
    } finally {
      await proxy.close();
    }
  }, 300_000);

  it('names a record deleted from the target and a stray one added there as it is listed', async () => {
    const NAME = 'target_change';
    const { records } = await seed(NAME, 'tgt');
    const gone = records[700]!.id;
    let landedBefore = -1;
    const proxy = await hookProxy(target.server.url, async () => {
      landedBefore = await countOnTarget(NAME);
      const onTarget = (await targetApi().findCollection(NAME))!;
      await targetApi().deleteRecords(onTarget.id, [gone]);
      await targetApi().upsert(onTarget.id, [{ ...records[0]!, id: 'stray' }], { base64: true });
    });
    try {
      const result = await copyCollections({
        source: endpoint({ url: source.server.url, cloud: true }),
        target: endpoint({ url: proxy.url }),
        out: join(dir, 'target.jsonl.gz'),
        collections: [NAME],
        ifExists: 'abort',
        statePath: join(dir, 'state-target.json'),
      });
      expect(landedBefore).toBe(1_200);
      expect(result.ok).toBe(false);
      expect(result.verify?.collections[0]).toMatchObject({ missing: 1, missingIds: [gone], extra: 1, extraIds: ['stray'], ok: false });
    } finally {
      await proxy.close();
    }
  }, 300_000);

  it('names a record the source gained after the copy read it, in neither the backup nor the target, as added there: not as missing from the backup', async () => {
    const FIRST = 'gain_first';
    const LAST = 'gain_last';
    const first = await seed(FIRST, 'gain');
    await seed(LAST, 'glast');
    // Ahead of the first collection's closing listing at the source, once every record of the
    // copy has landed (the last collection whole on the target): long after its end check.
    let added = false;
    const proxy = await hookProxy(
      source.server.url,
      async (path) => {
        if (added || !path.includes(first.info.id) || (await countOnTarget(LAST)) < 1_200) return;
        added = true;
        await sourceApi().upsert(first.info.id, [{ ...first.records[0]!, id: 'gain-new' }], { base64: true });
      },
      true,
    );
    try {
      const result = await copyCollections({
        source: endpoint({ url: proxy.url, cloud: true }),
        target: endpoint({ url: target.server.url }),
        out: join(dir, 'gain.jsonl.gz'),
        collections: [FIRST, LAST],
        ifExists: 'abort',
        statePath: join(dir, 'state-gain.json'),
      });
      expect(added).toBe(true);
      const verdict = result.verify?.collections.find((collection) => collection.collection === FIRST);
      expect(verdict).toMatchObject({ compared: 1_200, missing: 0, extra: 0, addedAtSource: { count: 1, ids: ['gain-new'] }, ok: false });
      expect(describeVerdict(verdict!)).toBe('1,200 of 1,200 from the backup equal (the source has 1 more, added since the copy read it)');
      expect(result.verify?.collections.find((collection) => collection.collection === LAST)).toMatchObject({ ok: true });
      expect(result.ok).toBe(false);
    } finally {
      await proxy.close();
    }
  }, 300_000);

  it('names what the target lost when the source changed too: the target is listed again, against the file the end check added to', async () => {
    const NAME = 'both_change';
    const { records, info } = await seed(NAME, 'both');
    const gone = records[900]!.id;
    const sourceProxy = await hookProxy(source.server.url, async () => {
      await sourceApi().upsert(info.id, [{ ...records[0]!, id: 'both-added' }], { base64: true });
    });
    // At the target's listing that begins once the record the end check added has landed (the
    // listing taken before it is not the closing check's): one record lost, one stray.
    let changed = false;
    const targetProxy = await hookProxy(
      target.server.url,
      async () => {
        const onTarget = await targetApi().findCollection(NAME);
        if (changed || !onTarget || (await targetApi().get(onTarget.id, { ids: ['both-added'], include: [] })).ids.length === 0) return;
        changed = true;
        await targetApi().deleteRecords(onTarget.id, [gone]);
        await targetApi().upsert(onTarget.id, [{ ...records[0]!, id: 'both-stray' }], { base64: true });
      },
      true,
    );
    try {
      const result = await copyCollections({
        source: endpoint({ url: sourceProxy.url, cloud: true }),
        target: endpoint({ url: targetProxy.url }),
        out: join(dir, 'both.jsonl.gz'),
        collections: [NAME],
        ifExists: 'abort',
        statePath: join(dir, 'state-both.json'),
      });
      expect(changed).toBe(true);
      expect(result.exported[0]).toMatchObject({ name: NAME, count: 1_201, added: 1 });
      expect(result.ok).toBe(false);
      expect(result.verify?.collections[0]).toMatchObject({ missing: 1, missingIds: [gone], extra: 1, extraIds: ['both-stray'], ok: false });
    } finally {
      await targetProxy.close();
      await sourceProxy.close();
    }
  }, 300_000);
});
