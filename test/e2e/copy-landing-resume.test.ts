import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { useTwoServers } from '../helpers/chroma.js';
import { exitOf, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { seedSmallCollections } from '../helpers/seed.js';

/**
 * A copy of many small collections sends the next collections' records while the one before
 * them lands (one with --parallel 2, up to three with 4). Killed then, the re-run must neither
 * take the landing collection for finished nor refuse the next ones' records as someone else's.
 */
const COLLECTIONS = 10;
const EACH = 40;
const names = Array.from({ length: COLLECTIONS }, (_, k) => `land_${String(k).padStart(2, '0')}`);

let dir = '';
const { source, target } = useTwoServers();
let slowTarget: FaultProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-landing-'));
  await seedSmallCollections(source.server.url, dir, names, EACH);
  slowTarget = await startFaultProxy(target.server.url);
}, 180_000);
afterAll(async () => {
  await slowTarget?.close();
  await rm(dir, { recursive: true, force: true });
});

interface SavedState {
  exports: Array<{ finished: Array<{ name: string }>; current: { name: string } | null }>;
}

async function stateOf(statePath: string): Promise<SavedState | null> {
  try {
    return JSON.parse(await readFile(statePath, 'utf8')) as SavedState;
  } catch {
    return null; // not written yet
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wait) => setTimeout(wait, 20));
  }
}

const isUpsert = (entry: { path: string }) => entry.path.endsWith('/upsert');

describe('copy --all, killed while a collection lands and the next one is sent', () => {
  it.each([2, 4])('--parallel %i: the re-run finishes from the landing collection, takes the next ones as its own, and the target holds exactly the source', async (parallel) => {
    const out = join(dir, `copy-${parallel}.jsonl.gz`);
    const statePath = join(dir, `state-${parallel}.json`);
    const args = ['copy', '--out', out, '--all', '--source-url', source.server.url, '--url', slowTarget.url, '--if-exists', 'abort', '--parallel', String(parallel), '--json'];
    const api = new ChromaApi(endpoint({ url: target.server.url }));
    // Each case starts from an empty target.
    for (const name of names) if (await api.findCollection(name)) await api.deleteCollection(name);
    const env = { CHROMA_MIGRATE_STATE: statePath };

    // The third upsert (a collection's one and last batch) is held at the proxy, so the kill lands
    // mid-way however fast the machine runs; every other request goes through at once.
    const from = slowTarget.log.length;
    slowTarget.setRules({ delayMs: 120_000, faultPaths: /\/upsert$/, delaysAfter: 2, maxDelays: 1 });
    const first = spawnCli(args, { env });
    const isHeld = (entry: { path: string; fault?: string }) => isUpsert(entry) && (entry.fault ?? '').includes('delay');
    await until(() => slowTarget.log.slice(from).some(isHeld) || first.exitCode !== null, 'the held upsert');
    expect(first.exitCode).toBeNull();
    const held = slowTarget.log.slice(from).find(isHeld)!;
    // The next collection's upsert goes, and lands, while the held one is still in flight.
    await until(() => slowTarget.log.slice(slowTarget.log.indexOf(held) + 1).some((entry) => isUpsert(entry) && entry.status === 200), 'an upsert landing beside the held one', 60_000);
    const countOn = async (name: string) => {
      const found = await api.findCollection(name);
      return found ? api.count(found.id) : 0;
    };
    // The held collection, by the id in its upsert's path (the checkpoint may still be at the one
    // before it while that one's records land).
    const heldId = /\/collections\/([^/]+)\/upsert$/.exec(held.path)![1];
    const heldName = (await api.allCollections()).find((collection) => collection.id === heldId)!.name;
    const heldAt = names.indexOf(heldName);
    // The checkpoint gets as far as the held collection (every one before it has landed), and no further.
    await until(async () => (await stateOf(statePath))?.exports[0]?.current?.name === heldName, `the checkpoint at the held collection ${heldName}`, 60_000);
    // The export gets as far as parallel − 1 collections past the held one, their records landed.
    await until(async () => (await countOn(names[Math.min(heldAt + parallel - 1, names.length - 1)]!)) === EACH, 'the collections sent past the held one', 60_000);
    expect(held.status).toBe(0);
    first.kill('SIGKILL');
    await exitOf(first);

    // At the kill: every collection the checkpoint calls finished is whole on the target, and the
    // one after its current one holds its records already; none is further than the landing
    // depth (parallel − 1) past it.
    const atKill = (await stateOf(statePath))!.exports[0]!;
    for (const { name } of atKill.finished) expect(await countOn(name), name).toBe(EACH);
    const currentAt = names.indexOf(atKill.current!.name);
    expect(currentAt).toBeGreaterThanOrEqual(atKill.finished.length);
    expect(await countOn(atKill.current!.name)).toBe(0);
    for (const name of names.slice(currentAt + 1, currentAt + parallel)) expect(await countOn(name), name).toBe(EACH);
    for (const name of names.slice(currentAt + parallel)) expect(await countOn(name), name).toBe(0);

    slowTarget.setRules({});
    const again = spawnCli(args, { env });
    expect(await exitOf(again), again.output()).toBe(0);

    const verified = await verifyBackup({ input: out, target: endpoint({ url: target.server.url }), parallel: 4 });
    expect(verified.collections.map((verdict) => verdict.collection)).toEqual(names);
    for (const verdict of verified.collections) {
      expect(verdict, verdict.collection).toMatchObject({ ok: true, count: EACH, compared: EACH, missing: 0, differing: 0 });
    }
    for (const name of names) expect(await countOn(name), name).toBe(EACH);
  }, 300_000);
});
