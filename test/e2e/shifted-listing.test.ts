/**
 * A record the target lost, hidden by a source listing that shifted: the source deletes one
 * record and adds another between two pages of its id listing, so the count holds, the pages
 * after the delete shift by one, and the record at the page boundary is listed by neither side.
 * The verify against the live source and a copy's closing check compared the two listings and
 * said ✓. A listing whose pages do not join up is read again: the lost record is named missing.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';
import { shiftListing } from '../helpers/listing-shift.js';

const { source, target } = useTwoServers();
/** More than one listing page off Cloud (20,000 ids a page). */
const TOTAL = 20_500;
/** Deleted at the source, before the boundary, while it is listed. */
const DELETED = 'r-008000';
const ADDED: BackupRecord = { id: 'fresh-0', document: 'fresh', metadata: null, embedding: [0.5, 0.5], uri: null };
const records = makeRecords(TOTAL, { dim: 2, prefix: 'r' });
let proxy: FaultProxy;
let dir = '';

const api = (url: string) => new ChromaApi(endpoint({ url }));

async function seed(url: string, name: string, some: BackupRecord[]): Promise<string> {
  const id = (await api(url).createCollection({ name, metadata: null, space: 'l2' })).id;
  for (let from = 0; from < some.length; from += 5_000) await api(url).upsert(id, some.slice(from, from + 5_000), { base64: true });
  return id;
}

/** The id a listing in pages of 20,000 skips once one record before it is deleted: the next page's first. */
async function atBoundary(url: string, collectionId: string): Promise<string> {
  return (await api(url).get(collectionId, { limit: 1, offset: 20_000, include: [] })).ids[0]!;
}

beforeAll(async () => {
  dir = await makeTempDir();
  proxy = await startFaultProxy(source.url, {});
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await removeDir(dir);
});

describe('copy: a record lost on the target while the source listing of its closing check shifts', () => {
  it('is named missing, not passed over', async () => {
    const sourceId = await seed(source.url, 'a_docs', records);
    await seed(source.url, 'z_tail', makeRecords(10, { dim: 2, prefix: 't' }));
    let lost = '';
    let changed: () => void = () => undefined;
    const change = new Promise<void>((resolve) => (changed = resolve));
    // One collection at a time, so a_docs is not the last: its first listing is its export's end
    // check, its second the closing check's (the last collection's closing check takes its end check's).
    const shift = shiftListing(() => proxy, {
      collectionId: sourceId,
      listing: 2,
      change: async () => {
        lost = await atBoundary(source.url, sourceId);
        const onTarget = (await api(target.url).findCollection('a_docs'))!.id;
        // The target loses one record and gets the one the source adds (as a sync beside it would).
        await api(target.url).deleteRecords(onTarget, [lost]);
        await api(target.url).upsert(onTarget, [ADDED], { base64: true });
        await api(source.url).deleteRecords(sourceId, [DELETED]);
        await api(source.url).upsert(sourceId, [ADDED], { base64: true });
        changed();
      },
    });
    proxy.setRules(shift.rules);
    // The target's side of the closing check is listed once all that has happened.
    const targetProxy = await startFaultProxy(target.url, {
      beforeForward: {
        paths: /\/get$/,
        run: async (request) => {
          if (Array.isArray(request.include) && request.include.length === 0 && typeof request.offset === 'number') await change;
        },
      },
    });
    try {
      const run = await runCli(['copy', '--collections', 'a_docs,z_tail', '--parallel', '1', '--source-url', proxy.url, '--url', targetProxy.url, '--out', join(dir, 'copy.jsonl'), '--yes']);
      expect(shift.fired, run.stderr).toBe(true);
      expect(run.stderr).toMatch(new RegExp(`missing\\s+1: ${lost}\\n`));
      expect(run.stderr).toMatch(/✗ .*a_docs/);
      expect(run.code, run.stderr).toBe(1);
    } finally {
      await targetProxy.close();
    }
  }, 600_000);
});

describe('copy: a record the source deletes after its closing listing, gone from the target too', () => {
  it('is not called missing: asked for by id, the source no longer holds it', async () => {
    const sourceId = await seed(source.url, 'c_docs', records);
    await seed(source.url, 'c_tail', makeRecords(10, { dim: 2, prefix: 't' }));
    const gone = 'r-000100';
    const isListingPage = (body: string | undefined) => body !== undefined && body.includes('"include":[]') && body.includes('"offset"');
    // The closing check's source listing (c_docs' second: its first is the export's end check) has
    // been answered, pages and the count after them.
    const sourceListed = () => {
      const log = proxy.log.filter((entry) => entry.path.includes(sourceId));
      const firsts = log.flatMap((entry, at) => (isListingPage(entry.body) && entry.body!.includes('"offset":0') ? [at] : []));
      if (firsts.length < 2) return false;
      const since = log.slice(firsts[1]);
      return since.some((entry) => entry.path.endsWith('/count')) && since.every((entry) => entry.endedAt !== undefined);
    };
    proxy.setRules({ keepBodies: true });
    let done = false;
    // The target's side waits for it; then the source deletes one record, and the target loses it (a sync beside).
    const targetProxy = await startFaultProxy(target.url, {
      beforeForward: {
        paths: /\/get$/,
        run: async (request) => {
          if (done || !(Array.isArray(request.include) && request.include.length === 0 && request.offset === 0) || proxy.log.filter((entry) => entry.path.includes(sourceId) && isListingPage(entry.body)).length < 2) return;
          while (!sourceListed()) await new Promise((resolve) => setTimeout(resolve, 5));
          done = true;
          await api(source.url).deleteRecords(sourceId, [gone]);
          await api(target.url).deleteRecords((await api(target.url).findCollection('c_docs'))!.id, [gone]);
        },
      },
    });
    try {
      const run = await runCli(['copy', '--collections', 'c_docs,c_tail', '--parallel', '1', '--source-url', proxy.url, '--url', targetProxy.url, '--out', join(dir, 'copy-c.jsonl'), '--yes']);
      expect(done, run.stderr).toBe(true);
      expect(run.stderr).not.toMatch(/missing\s+1/);
      expect(run.stderr).toMatch(/✓ c_docs: 20,500 from the backup, all equal/);
      expect(run.code, run.stderr).toBe(0);
    } finally {
      await targetProxy.close();
    }
  }, 600_000);
});

describe('verify --source-url: a record the target lacks while the source listing shifts', () => {
  it('is named missing; a record the source deletes and adds back is not called extra', async () => {
    const sourceId = await seed(source.url, 'docs', records);
    const lost = await atBoundary(source.url, sourceId);
    // The target lacks one record and holds the one the source is about to add.
    await seed(target.url, 'docs', [...records.filter((record) => record.id !== lost), ADDED]);
    const deleted = records.find((record) => record.id === DELETED)!;
    const shift = shiftListing(() => proxy, {
      collectionId: sourceId,
      change: async () => {
        await api(source.url).deleteRecords(sourceId, [DELETED]);
        await api(source.url).upsert(sourceId, [ADDED], { base64: true });
      },
    });
    // The deleted record is back at the source before the verify first reads by id.
    let back = false;
    const hook = shift.rules.beforeForward!;
    proxy.setRules({
      ...shift.rules,
      beforeForward: {
        paths: hook.paths,
        run: async (request) => {
          if (shift.fired && !back && Array.isArray(request.ids)) {
            back = true;
            await api(source.url).upsert(sourceId, [deleted], { base64: true });
          }
          await hook.run(request);
        },
      },
    });
    const run = await runCli(['verify', '--collections', 'docs', '--source-url', proxy.url, '--url', target.url]);
    expect(shift.fired && back, run.stderr).toBe(true);
    expect(run.stdout + run.stderr).toMatch(new RegExp(`missing\\s+1: ${lost}\\n`));
    expect(run.stdout + run.stderr).not.toContain('not at source');
    expect(run.code, run.stdout + run.stderr).toBe(1);
  }, 600_000);
});
