/**
 * A resumed import or copy and the 413 refusals an earlier run left in the rejects file, against
 * REAL 1.5.9 servers: a refusal as too large is the answer of the address that gave it (often a
 * proxy's body limit), so on resume a line another address wrote does not excuse its record
 * here. The record is sent again: the target that takes it holds it, and the run's ✓ is true.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
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

const { source, target } = useTwoServers();
let dir = '';
const proxies: FaultProxy[] = [];

/** 200 records, one of them (at `at`) ~300 KB: above the proxies' 200 KB body limit. */
const records = (prefix: string, at: number): BackupRecord[] => makeRecords(200, { dim: 8, prefix }).map((record, i) => ({ ...record, document: i === at ? 'x'.repeat(300 * 1024) : `doc ${i}` }));

async function proxy(url: string, rules: Parameters<typeof startFaultProxy>[1]): Promise<FaultProxy> {
  const started = await startFaultProxy(url, rules);
  proxies.push(started);
  return started;
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

/** The upsert after the first `after` is held (two minutes) at `front`: a run stopped mid-way, however fast the machine. */
const holdUpsert = (after: number) => ({ delayMs: 120_000, faultPaths: /\/upsert$/, delaysAfter: after, maxDelays: 1 });
const held = (front: FaultProxy) => front.log.some((entry) => entry.path.endsWith('/upsert') && (entry.fault ?? '').includes('delay'));

/** Where the copy's export stands in its collection, by its last checkpoint. */
async function checkpointOf(state: string): Promise<number> {
  try {
    const saved = JSON.parse(await readFile(state, 'utf8')) as { exports: Array<{ current: { offset: number } | null }> };
    return saved.exports[0]?.current?.offset ?? 0;
  } catch {
    return 0; // not written yet
  }
}

async function idsOn(url: string, name: string): Promise<Set<string>> {
  const api = new ChromaApi(endpoint({ url }));
  return new Set((await api.get((await api.findCollection(name))!.id, { include: [] })).ids);
}

beforeAll(async () => {
  dir = await makeTempDir();
}, 300_000);
afterAll(async () => {
  await Promise.all(proxies.map((one) => one.close()));
  await removeDir(dir);
});

describe('an import resumed after another address refused a record (413) in between', () => {
  it('the resumed import sends the record: the target holds all 200 and verify passes', async () => {
    const input = join(dir, 'two targets.json');
    await writePythonRowsJson(input, 'twotargets', records('tt', 150), { metadata: { 'hnsw:space': 'l2' } });
    const state = join(dir, 'import-state.json');
    const rejects = `${input}.rejects.jsonl`;
    // The main target (through a plain proxy, to stop the first run mid-way); staging behind a 200 KB body limit.
    const main = await proxy(target.server.url, holdUpsert(3));
    const staging = await proxy(source.server.url, { maxBodyBytes: 200_000 });
    const args = ['import', '--input', input, '--url', main.url, '--if-exists', 'abort', '--skip-invalid', '--batch', '10', '--concurrency', '1', '--state', state];

    // 1. Into the main target, stopped after 30 records (the large one is at 150).
    const first = spawnCli(args);
    await until(() => held(main) || first.exitCode !== null, 'the held upsert');
    first.kill('SIGINT');
    expect(await exitOf(first), first.output()).toBe(130);
    main.setRules({});

    // 2. The same backup into staging, which refuses the large record (413): its line names staging.
    const staged = await runCli(['import', '--input', input, '--url', staging.url, '--if-exists', 'abort', '--skip-invalid', '--batch', '10', '--state', state]);
    expect(staged.code, staged.stderr).toBe(0);
    expect(await readFile(rejects, 'utf8')).toContain(`"refusedBy":"${staging.url}"`);

    // 3. The main target's import resumed: staging's refusal says nothing of it.
    const resumed = await runCli([...args, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/"resumedFrom": [1-9]/);
    expect(resumed.stderr).toMatch(/"twotargets": sent 1 record again that an earlier run set aside: refused by another address/);
    expect((await idsOn(target.server.url, 'twotargets')).has('tt-000150')).toBe(true);
    expect((await idsOn(target.server.url, 'twotargets')).size).toBe(200);
    expect(existsSync(rejects) ? await readFile(rejects, 'utf8') : '').not.toContain('tt-000150');
    const verify = await runCli(['verify', '--input', input, '--url', main.url]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toMatch(/✓ twotargets: 200 from the backup, all equal\n/);
  }, 600_000);

  it('resumed through the address that refused it, the record stays set aside (its line kept)', async () => {
    const input = join(dir, 'same address.json');
    await writePythonRowsJson(input, 'sameaddress', records('sa', 150), { metadata: { 'hnsw:space': 'l2' } });
    const state = join(dir, 'same-state.json');
    const rejects = `${input}.rejects.jsonl`;
    const limited = await proxy(target.server.url, { maxBodyBytes: 200_000, ...holdUpsert(20) });
    const args = ['import', '--input', input, '--url', limited.url, '--if-exists', 'abort', '--skip-invalid', '--batch', '10', '--concurrency', '1', '--state', state];
    const first = spawnCli(args);
    await until(async () => first.exitCode !== null || (held(limited) && existsSync(rejects) && (await readFile(rejects, 'utf8')).includes('sa-000150')), 'the large record set aside, then an upsert held');
    first.kill('SIGINT');
    expect(await exitOf(first), first.output()).toBe(130);
    limited.setRules({ maxBodyBytes: 200_000 });
    const resumed = await runCli([...args, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/"resumedFrom": 1[5-9]\d/);
    expect(await readFile(rejects, 'utf8')).toContain('"sa-000150"');
    expect((await idsOn(target.server.url, 'sameaddress')).size).toBe(199);
  }, 600_000);
});

describe('a resumed copy whose rejects line names another address', () => {
  it('the record is sent again: the target holds all 200, and its line goes', async () => {
    const api = new ChromaApi(endpoint({ url: source.server.url }));
    const info = await api.createCollection({ name: 'copyresume', metadata: null, space: 'l2' });
    await api.upsert(info.id, records('cr', 5), { base64: true });
    const out = join(dir, 'copy resume.jsonl');
    const rejects = `${out}.rejects.jsonl`;
    const env = { CHROMA_MIGRATE_STATE: join(dir, 'copy-state.json') };
    // Each write slowed, so that the run is stopped after its export's checkpoint passed the large record.
    const front = await proxy(target.server.url, { maxBodyBytes: 200_000, delayMs: 300, faultPaths: /\/upsert$/ });
    const args = ['copy', '--collections', 'copyresume', '--out', out, '--source-url', source.server.url, '--url', front.url, '--skip-invalid', '--batch', '10', '--page-size', '10', '--if-exists', 'abort', '--json'];

    const first = spawnCli(args, { env });
    await until(async () => first.exitCode !== null || ((await checkpointOf(env.CHROMA_MIGRATE_STATE)) >= 20 && existsSync(rejects)), 'a checkpoint past the large record');
    first.kill('SIGINT');
    expect(await exitOf(first), first.output()).toBe(130);
    // The line as a run through another address (a staging proxy) would have left it; this one takes the record.
    const line = (await readFile(rejects, 'utf8')).trim();
    expect(line).toContain(`"refusedBy":"${front.url}"`);
    await writeFile(rejects, `${line.replace(`"refusedBy":"${front.url}"`, '"refusedBy":"http://staging.invalid:8000"')}\n`);
    front.setRules({});

    const resumed = await runCli(args, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/copyresume: resuming at [1-9]/);
    expect(resumed.stderr).toMatch(/"copyresume": sent 1 record again that an earlier run set aside/);
    expect((await idsOn(target.server.url, 'copyresume')).has('cr-000005')).toBe(true);
    expect((await idsOn(target.server.url, 'copyresume')).size).toBe(200);
    expect(existsSync(rejects) ? await readFile(rejects, 'utf8') : '').not.toContain('cr-000005');
  }, 600_000);
});
