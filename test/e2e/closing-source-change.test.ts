/**
 * A copy's closing id check is the last word on the source: a record deleted at the source and
 * one added there after every page was read (and checked at the export's end) are caught there,
 * however early in the copy's tail that check begins (never before every record has landed). The
 * source changes the moment the closing check first asks for the collection by its name (nothing
 * else in a copy does).
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
import { useTwoServers } from '../helpers/chroma.js';
import { makeRecords } from '../helpers/fixtures.js';

const NAME = 'late_change';
let dir = '';
const { source, target } = useTwoServers();
const sourceApi = () => new ChromaApi(endpoint({ url: source.server.url }));

/** A pass-through proxy that runs `before` (once) ahead of the first request whose path ends with `suffix`. */
async function hookProxy(upstream: string, suffix: string, before: () => Promise<void>): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(upstream);
  let hooked: Promise<void> | null = null;
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://proxy.invalid').pathname;
    if (req.method === 'GET' && path.endsWith(suffix)) hooked ??= before();
    void (hooked ?? Promise.resolve()).then(() => {
      const forward = http.request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-closing-change-'));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the closing id check, after the source changed late in a copy', () => {
  it('names the record deleted at the source as extra and the one added there as missing', async () => {
    const records = makeRecords(1_200, { dim: 8, prefix: 'late' });
    const info = await sourceApi().createCollection({ name: NAME, metadata: null, space: 'l2' });
    for (let from = 0; from < records.length; from += 300) await sourceApi().upsert(info.id, records.slice(from, from + 300), { base64: true });
    const deleted = records[500]!.id;
    const added = { ...records[0]!, id: 'late-added' };
    let landedBefore = -1;
    const proxy = await hookProxy(source.server.url, `/collections/${NAME}`, async () => {
      // The closing check begins only once every record has landed on the target.
      const targetApi = new ChromaApi(endpoint({ url: target.server.url }));
      const onTarget = await targetApi.findCollection(NAME);
      landedBefore = onTarget ? await targetApi.count(onTarget.id) : 0;
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
      // The copy itself moved every record it read: the backup and the target hold all 1,200.
      expect(result.exported[0]).toMatchObject({ name: NAME, count: 1_200 });
      expect(landedBefore).toBe(1_200);
      expect(result.ok).toBe(false);
      expect(result.verify?.collections[0]).toMatchObject({ missing: 1, missingIds: ['late-added'], extra: 1, extraIds: [deleted], ok: false });
    } finally {
      await proxy.close();
    }
  }, 300_000);
});
