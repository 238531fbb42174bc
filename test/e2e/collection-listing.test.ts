/**
 * A database's collections listed through a proxy that cuts the list answer short, against REAL
 * servers (the bundled 1.5.9 and the old 1.0.1): a page shorter than asked is not the end while
 * the collections count says more; a listing that never agrees with the count stops the run with
 * ✗ instead of leaving collections out of `export --all` (or copy, sync, verify) unsaid; a
 * collection created or deleted between the listing and the count is read again, not an error.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { ownCollectionHeaders } from '../../src/core/backup/read.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { startTestServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const TOTAL = 12;
const LIST = /\/collections$/;
const names = Array.from({ length: TOTAL }, (_, i) => `listed-${String(i).padStart(2, '0')}`);
let servers: Array<Awaited<ReturnType<typeof startTestServer>>> = [];
const proxies: FaultProxy[] = [];
let dir = '';

/** Every list answer cut to its first `keep` collections, whatever the limit asked. */
const cutTo = (keep: number) => ({ method: 'GET' as const, paths: LIST, change: (answer: Record<string, unknown>) => (answer as unknown as unknown[]).slice(0, keep) as unknown as Record<string, unknown> });

async function proxy(url: string, rules: Parameters<typeof startFaultProxy>[1]): Promise<FaultProxy> {
  const started = await startFaultProxy(url, rules);
  proxies.push(started);
  return started;
}

async function seed(url: string): Promise<void> {
  const api = new ChromaApi(endpoint({ url }));
  for (const name of names) await api.createCollection({ name, metadata: null, space: 'l2' });
}

const bundled = () => servers[0]!.server.url;
const old = () => servers[1]!.server.url;
const listedNames = async (url: string) => (await new ChromaApi(endpoint({ url })).allCollections()).map((info) => info.name).sort();

beforeAll(async () => {
  dir = await makeTempDir();
  servers = await Promise.all([startTestServer(), startTestServer({ release: 'old' })]);
  await Promise.all([seed(bundled()), seed(old())]);
}, 600_000);
afterAll(async () => {
  await Promise.all(proxies.map((one) => one.close()));
  await Promise.all(servers.map((one) => one.cleanup()));
  await removeDir(dir);
});

describe('list answers cut to 5 collections while the count says 12', () => {
  it('every collection is listed, read on past each cut page (1.5.9 and 1.0.1)', async () => {
    expect(await listedNames((await proxy(bundled(), { alterAnswer: cutTo(5) })).url)).toEqual(names);
    expect(await listedNames((await proxy(old(), { alterAnswer: cutTo(5) })).url)).toEqual(names);
  }, 120_000);

  it('export --all writes all 12 collections', async () => {
    const cutting = await proxy(bundled(), { alterAnswer: cutTo(5) });
    const out = join(dir, 'all.jsonl');
    const run = await runCli(['export', '--all', '--source-url', cutting.url, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect((await ownCollectionHeaders(out)).map((header) => header.name).sort()).toEqual(names);
  }, 300_000);
});

describe('a listing that never agrees with the count', () => {
  /** Every page answered with the first 5 collections: the others are never seen. */
  const hiding = () => proxy(bundled(), { alterAnswer: { ...cutTo(5), change: (answer, request) => (Number(request.offset) === 0 ? cutTo(5).change(answer) : ([] as unknown as Record<string, unknown>)) } });

  it('allCollections throws a MISMATCH error naming what it listed and counted', async () => {
    const api = new ChromaApi(endpoint({ url: (await hiding()).url }));
    await expect(api.allCollections()).rejects.toMatchObject({ code: 'MISMATCH', message: expect.stringMatching(/listed 5 collections of the 12 it counts, 3 times over: a proxy or the server cuts its answers short/) });
  }, 120_000);

  it('export --all stops with ✗ and leaves no backup', async () => {
    const out = join(dir, 'hidden.jsonl');
    const run = await runCli(['export', '--all', '--source-url', (await hiding()).url, '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/listed 5 collections of the 12 it counts/);
    expect(existsSync(out)).toBe(false);
  }, 300_000);
});

describe('collections created and deleted while they are listed', () => {
  it('a collection created between the listing and its count: read again, it is listed', async () => {
    const direct = new ChromaApi(endpoint({ url: bundled() }));
    let created = false;
    const racing = await proxy(bundled(), {
      beforeForward: {
        method: 'GET',
        paths: /\/collections_count$/,
        run: async () => {
          // The count after the first listing: one more than it listed.
          if (created || !racing.log.some((entry) => LIST.test(entry.path))) return;
          created = true;
          await direct.createCollection({ name: 'listed-late', metadata: null, space: 'l2' });
        },
      },
    });
    expect(await listedNames(racing.url)).toEqual([...names, 'listed-late'].sort());
    await direct.deleteCollection('listed-late');
  }, 120_000);

  it('a collection deleted between the listing and its count: read again, it is not listed', async () => {
    const direct = new ChromaApi(endpoint({ url: bundled() }));
    await direct.createCollection({ name: 'listed-gone', metadata: null, space: 'l2' });
    let deleted = false;
    const racing = await proxy(bundled(), {
      beforeForward: {
        method: 'GET',
        paths: /\/collections_count$/,
        run: async () => {
          if (deleted || !racing.log.some((entry) => LIST.test(entry.path))) return;
          deleted = true;
          await direct.deleteCollection('listed-gone');
        },
      },
    });
    expect(await listedNames(racing.url)).toEqual(names);
  }, 120_000);
});
