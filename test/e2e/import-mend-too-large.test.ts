/**
 * An import run again sends the records the target lacks once more (landed.ts). That mend goes
 * out as the pages do: a record the target refuses as too large even alone (413, here a proxy's
 * body limit in front of a REAL 1.5.9 server) is set aside in the rejects file under
 * --skip-invalid, as on the normal path, instead of stopping the import with an error.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { useTwoServers } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const { target } = useTwoServers();
let dir = '';
let front: FaultProxy | undefined;

/** 100 records, one of them (at 5) ~300 KB: above the proxy's 200 KB body limit once it is set. */
const records = (): BackupRecord[] => makeRecords(100, { dim: 8, prefix: 'mend' }).map((record, i) => ({ ...record, document: i === 5 ? 'x'.repeat(300 * 1024) : `doc ${i}` }));

async function until(check: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

beforeAll(async () => {
  dir = await makeTempDir();
}, 300_000);
afterAll(async () => {
  await front?.close();
  await removeDir(dir);
});

describe('an import run again, mending a record lost on the target that the target refuses alone (413)', () => {
  it('sets the record aside in the rejects file (--skip-invalid) and finishes, as the normal path does', async () => {
    const input = join(dir, 'mend.json');
    const big = records()[5]!.id;
    await writePythonRowsJson(input, 'mendbig', records(), { metadata: { 'hnsw:space': 'l2' } });
    // The upsert after the first three is held: the first run stops mid-way, the large record (in the first batch) in.
    front = await startFaultProxy(target.server.url, { delayMs: 120_000, faultPaths: /\/upsert$/, delaysAfter: 3, maxDelays: 1 });
    const proxy = front;
    const args = ['import', '--input', input, '--url', front.url, '--if-exists', 'abort', '--skip-invalid', '--batch', '10', '--concurrency', '1', '--state', join(dir, 'state.json')];

    // 1. Stopped after 30 records.
    const first = spawnCli(args);
    await until(() => proxy.log.some((entry) => entry.path.endsWith('/upsert') && (entry.fault ?? '').includes('delay')) || first.exitCode !== null, 'the held upsert');
    first.kill('SIGINT');
    expect(await exitOf(first), first.output()).toBe(130);

    // 2. The large record is lost on the target; a body limit now stands in front of it.
    const api = new ChromaApi(endpoint({ url: target.server.url }));
    const id = (await api.findCollection('mendbig'))!.id;
    await api.deleteRecords(id, [big]);
    front.setRules({ maxBodyBytes: 200_000 });

    // 3. The same command again: the rest goes in, then the mend sends the lost record, which the target refuses alone.
    const again = await runCli(args);
    expect(again.stderr).toContain('too large');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('✓ mendbig: 99 of 99 records');
    expect(await readFile(`${input}.rejects.jsonl`, 'utf8')).toContain(`"id":"${big}"`);
    expect(await api.count(id)).toBe(99);
  }, 240_000);
});
