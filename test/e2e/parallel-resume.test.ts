import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { useTwoServers } from '../helpers/chroma.js';
import { exitOf, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { seedSmallCollections } from '../helpers/seed.js';

const COLLECTIONS = 20;
const EACH = 60;
const names = Array.from({ length: COLLECTIONS }, (_, k) => `many_${String(k).padStart(2, '0')}`);

let dir = '';
const { source, target } = useTwoServers();
let slowSource: FaultProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-parallel-'));
  await seedSmallCollections(source.server.url, dir, names, EACH);
  slowSource = await startFaultProxy(source.server.url);
}, 180_000);
afterAll(async () => {
  await slowSource?.close();
  await rm(dir, { recursive: true, force: true });
});

async function finishedExports(statePath: string): Promise<number> {
  try {
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { exports: Array<{ finished: unknown[] }> };
    return state.exports[0]?.finished.length ?? 0;
  } catch {
    return 0; // not written yet
  }
}

describe('copy --all with several collections in flight', () => {
  it('killed with -9 part-way through 20 collections, the same command again finishes them all and every one verifies', async () => {
    const out = join(dir, 'copy.jsonl.gz');
    const statePath = join(dir, 'state.json');
    const args = ['copy', '--out', out, '--all', '--source-url', slowSource.url, '--url', target.server.url, '--if-exists', 'abort', '--parallel', '4', '--json'];
    const env = { CHROMA_MIGRATE_STATE: statePath };

    // Slow reads at the source, so the kill lands with collections open at both ends.
    slowSource.setRules({ delayMs: 150 });
    const first = spawnCli(args, { env });
    const deadline = Date.now() + 120_000;
    while ((await finishedExports(statePath)) < 5 && Date.now() < deadline && first.exitCode === null) {
      await new Promise((wait) => setTimeout(wait, 50));
    }
    first.kill('SIGKILL');
    await exitOf(first);
    const atKill = await finishedExports(statePath);
    expect(atKill).toBeGreaterThanOrEqual(5);
    expect(atKill).toBeLessThan(COLLECTIONS);

    slowSource.setRules({});
    const again = spawnCli(args, { env });
    const code = await exitOf(again);
    expect(code, again.output()).toBe(0);

    const verified = await verifyBackup({ input: out, target: endpoint({ url: target.server.url }), parallel: 4 });
    expect(verified.collections.map((verdict) => verdict.collection)).toEqual(names);
    for (const verdict of verified.collections) {
      expect(verdict, verdict.collection).toMatchObject({ ok: true, count: EACH, compared: EACH, missing: 0, differing: 0 });
    }
  }, 300_000);
});
