/**
 * A copy whose export and imports finished but whose verify did not (stopped in it) goes, run
 * again, to its verify. What the target lost since (a collection deleted, through another
 * address of the same server or by hand, or records of it) is sent again from the finished
 * backup first, as the same import again would; a target still whole only gets verified.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';
import { shellWords } from '../helpers/shell-words.js';

const COUNT = 250;
const records = makeRecords(COUNT, { dim: 8, prefix: 'fin', nullDocEvery: 9 });
const ids = records.map((record) => record.id).sort();

let dir = '';
const { source, target } = useTwoServers();
/** In front of the source: its log proves nothing was written there. */
let reader: FaultProxy;
/** The address the copies write to; the test changes the target through the server's own. */
let front: FaultProxy;

/** Requests that change a server: writes of records, and creating or deleting a collection. */
const isWrite = (entry: { method: string; path: string }) => /\/(add|upsert|update|delete)$/.test(entry.path) || (entry.method === 'POST' && /\/collections$/.test(entry.path)) || entry.method === 'DELETE';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-finished-'));
  const api = new ChromaApi(endpoint({ url: source.server.url }));
  const docs = await api.createCollection({ name: 'fin_docs', metadata: { team: 'docs' }, space: 'cosine' });
  await api.upsert(docs.id, records, { base64: true });
  reader = await startFaultProxy(source.server.url);
  front = await startFaultProxy(target.server.url);
}, 120_000);
afterAll(async () => {
  await reader?.close();
  await front?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Steps {
  import?: { status: string };
  verify?: { status: string };
}

async function stepsOf(statePath: string): Promise<Steps> {
  const state = await readFile(statePath, 'utf8').catch(() => '{}');
  return (JSON.parse(state) as { steps?: Steps }).steps ?? {};
}

/**
 * The copy into `name`, stopped (Ctrl-C) in its verify: every record landed and step 5 saved
 * done, the verify's reads held at the proxy meanwhile. What a re-run then finds is a finished
 * export and import, and no verify.
 */
async function copyStoppedInVerify(name: string, sourceUrl = reader.url): Promise<{ args: string[]; env: Record<string, string>; statePath: string }> {
  const statePath = join(dir, `${name}-state.json`);
  const args = ['copy', '--collections', 'fin_docs', '--as', name, '--out', join(dir, `${name}.jsonl`), '--source-url', sourceUrl, '--url', front.url, '--if-exists', 'abort'];
  const env = { CHROMA_MIGRATE_STATE: statePath };
  front.setRules({ delayMs: 5_000, faultPaths: /\/(get|query)$/ });
  const stop = new AbortController();
  const first = runCli(args, env, stop.signal);
  const deadline = Date.now() + 60_000;
  while ((await stepsOf(statePath)).import?.status !== 'done' && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 50));
  stop.abort();
  expect((await first).code).toBe(130);
  front.setRules({});
  expect((await stepsOf(statePath)).verify?.status).not.toBe('done');
  return { args, env, statePath };
}

/** The target as the test sees it: straight at the server, not through the copy's address. */
const direct = () => new ChromaApi(endpoint({ url: target.server.url }));

async function idsOn(name: string): Promise<string[]> {
  const api = direct();
  const info = await api.findCollection(name);
  if (!info) throw new Error(`no ${name} on the target`);
  return (await api.get(info.id, { include: [] })).ids.sort();
}

/** The re-run, with what it wrote to each side. */
async function runAgain(run: { args: string[]; env: Record<string, string> }) {
  const fromTarget = front.log.length;
  const fromSource = reader.log.length;
  const again = await runCli([...run.args, '--json'], run.env);
  return { ...again, targetWrites: front.log.slice(fromTarget).filter(isWrite), sourceWrites: reader.log.slice(fromSource).filter(isWrite) };
}

describe('copy again after its import finished and its verify did not', () => {
  it('the target collection deleted meanwhile: created again with its settings, every record sent from the backup, then verified', async () => {
    const run = await copyStoppedInVerify('fin_gone');
    await direct().deleteCollection('fin_gone');

    const again = await runAgain(run);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`"fin_gone" was not on the target (deleted since the copy sent it); created it again with the backup's settings and sent the backup's ${COUNT} records.`);
    expect(JSON.parse(again.stdout).verify[0]).toMatchObject({ collection: 'fin_gone', ok: true, compared: COUNT, missing: 0 });
    expect(await idsOn('fin_gone')).toEqual(ids);
    const info = await direct().findCollection('fin_gone');
    expect(info?.metadata).toMatchObject({ team: 'docs' });
    expect(info?.configuration_json?.hnsw?.space).toBe('cosine');
    expect(again.sourceWrites).toEqual([]);
    expect(await stepsOf(run.statePath)).toMatchObject({ import: { status: 'done' }, verify: { status: 'done' } });
  }, 180_000);

  it('records deleted on the target meanwhile: only those sent again, the records added there kept, then verified', async () => {
    const run = await copyStoppedInVerify('fin_lost');
    const api = direct();
    const info = (await api.findCollection('fin_lost'))!;
    const lost = [ids[0]!, ids[7]!, ids[200]!];
    await api.deleteRecords(info.id, lost);
    const added = makeRecords(2, { dim: 8, prefix: 'added' });
    await api.upsert(info.id, added, { base64: true });

    front.setRules({ keepBodies: true });
    const again = await runAgain(run);
    front.setRules({});
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('"fin_lost": 3 of the backup\'s records were not on the target');
    expect(JSON.parse(again.stdout).verify[0]).toMatchObject({ collection: 'fin_lost', ok: true, compared: COUNT, missing: 0 });
    // The three, and nothing that was still there: no delete, no create, one upsert of them.
    expect(again.targetWrites.map((entry) => entry.path.split('/').at(-1))).toEqual(['upsert']);
    expect((JSON.parse(again.targetWrites[0]!.body!) as { ids: string[] }).ids.sort()).toEqual([...lost].sort());
    expect(await idsOn('fin_lost')).toEqual([...ids, ...added.map((record) => record.id)].sort());
    expect(again.sourceWrites).toEqual([]);
    expect(await stepsOf(run.statePath)).toMatchObject({ import: { status: 'done' }, verify: { status: 'done' } });
  }, 180_000);

  it('stopped while it sends what the target lost: the next run goes on with it, not as a new copy onto a collection it must ask about', async () => {
    const run = await copyStoppedInVerify('fin_again');
    await direct().deleteCollection('fin_again');
    // The mend's second upsert (of three, --batch 100) is held at the proxy; the run is stopped
    // while it is in flight, the collection created again and holding the first batch.
    const from = front.log.length;
    front.setRules({ delayMs: 60_000, faultPaths: /\/upsert$/, delaysAfter: 1, maxDelays: 1 });
    const stop = new AbortController();
    const stopped = runCli([...run.args, '--batch', '100'], run.env, stop.signal);
    const held = (entry: { path: string; fault?: string }) => entry.path.endsWith('/upsert') && (entry.fault ?? '').includes('delay');
    const deadline = Date.now() + 60_000;
    while (!front.log.slice(from).some(held) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 50));
    stop.abort();
    expect((await stopped).code).toBe(130);
    front.setRules({});
    // Created again, and holding at most the first batch: whether that batch committed before
    // the stop depends on the machine's load, and either way the next run must go on with it.
    expect((await idsOn('fin_again')).length).toBeLessThanOrEqual(100);

    const again = await runAgain({ ...run, args: [...run.args, '--batch', '100'] });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).verify[0]).toMatchObject({ collection: 'fin_again', ok: true, compared: COUNT, missing: 0 });
    expect(await idsOn('fin_again')).toEqual(ids);
    expect(await stepsOf(run.statePath)).toMatchObject({ import: { status: 'done' }, verify: { status: 'done' } });
  }, 180_000);

  it('the target still whole: only verified, nothing written; step 5, left in progress, done', async () => {
    const run = await copyStoppedInVerify('fin_whole');
    // As a stop between the last checkpoint and step 5's save leaves it.
    const state = JSON.parse(await readFile(run.statePath, 'utf8')) as { steps: { import: { status: string } } };
    state.steps.import.status = 'active';
    await writeFile(run.statePath, JSON.stringify(state));
    const again = await runAgain(run);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('was copied to');
    expect(again.stderr).not.toContain('were not on the target');
    expect(JSON.parse(again.stdout).verify[0]).toMatchObject({ collection: 'fin_whole', ok: true, compared: COUNT });
    expect(again.targetWrites).toEqual([]);
    expect(again.sourceWrites).toEqual([]);
    expect(await stepsOf(run.statePath)).toMatchObject({ import: { status: 'done' }, verify: { status: 'done' } });
  }, 180_000);
  it('the source changed since the earlier run read it: the ✓ says it is against that backup, and names the verify against the source now, which finds the change', async () => {
    const run = await copyStoppedInVerify('fin_changed');
    const api = new ChromaApi(endpoint({ url: source.server.url }));
    const docs = (await api.findCollection('fin_docs'))!;
    const one = records.find((record) => record.id === ids[3])!;
    await api.upsert(docs.id, [{ ...one, document: 'changed at the source after the copy read it' }], { base64: true });

    const again = await runCli(run.args, run.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`✓ fin_changed: ${COUNT} from the backup, all equal`);
    expect(again.stderr).toMatch(/! An earlier run of this copy read "fin_docs" from the source \(until \d{4}-\d\d-\d\d \d\d:\d\d UTC\): the check above compares the target with the backup taken then, not with the source as it is now\./);
    const lines = again.stderr.split('\n');
    const verifyLine = lines[lines.indexOf('  To compare with the source now:') + 1]!.trim();
    expect(verifyLine).toBe(`chroma-migrate verify --source-url ${reader.url} --collections fin_docs --as fin_changed --url ${front.url}`);
    const verify = await runCli(shellWords(verifyLine).slice(1), run.env);
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stderr).toContain('1 differing');
  }, 180_000);
});

describe('copy again after its verify was stopped, the source unreachable since (Chroma Cloud stops serving)', () => {
  const UNREACHABLE = /could not be reached, so the target was checked against the backup file only\./g;

  it('its address closed, a record deleted on the target meanwhile: sent again from the file, then ✓, and one line says the source could not be reached', async () => {
    const away = await startFaultProxy(source.server.url);
    const run = await copyStoppedInVerify('fin_away', away.url);
    await away.close();
    const api = direct();
    await api.deleteRecords((await api.findCollection('fin_away'))!.id, [ids[42]!]);

    const again = await runAgain(run);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr.match(UNREACHABLE)).toHaveLength(1);
    expect(again.stderr).toContain('"fin_away": 1 of the backup\'s records were not on the target');
    expect(JSON.parse(again.stdout).verify[0]).toMatchObject({ collection: 'fin_away', ok: true, compared: COUNT, missing: 0 });
    expect(await idsOn('fin_away')).toEqual(ids);
    expect(await stepsOf(run.statePath)).toMatchObject({ import: { status: 'done' }, verify: { status: 'done' } });
  }, 180_000);

  it('answering 503 to everything, or only to its list of collections, or 401 (its key revoked): the same, ✓', async () => {
    const failing = await startFaultProxy(source.server.url);
    const cases = [
      ['fin_503', { status5xxRate: 1 }],
      ['fin_list', { status5xxRate: 1, faultPaths: /\/collections$/ }],
      ['fin_401', { token: { value: 'a-key-since-revoked', header: 'authorization' } }],
    ] as const;
    try {
      for (const [name, rules] of cases) {
        const run = await copyStoppedInVerify(name, failing.url);
        failing.setRules(rules);
        const again = await runAgain(run);
        failing.setRules({});
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr.match(UNREACHABLE)).toHaveLength(1);
        expect(JSON.parse(again.stdout).verify[0]).toMatchObject({ collection: name, ok: true, compared: COUNT, missing: 0 });
      }
    } finally {
      await failing.close();
    }
  }, 300_000);

  it('a target collection the checkpoint names as the source\'s own (one server under two addresses): refused, nothing written', async () => {
    const away = await startFaultProxy(source.server.url);
    const run = await copyStoppedInVerify('fin_self', away.url);
    await away.close();
    const api = direct();
    const info = (await api.findCollection('fin_self'))!;
    await api.deleteRecords(info.id, [ids[3]!]);
    // As if the source's collection were this very one, reached through another address.
    const state = JSON.parse(await readFile(run.statePath, 'utf8')) as { exports: Array<{ finished: Array<{ id?: string }> }> };
    state.exports[0]!.finished[0]!.id = info.id;
    await writeFile(run.statePath, JSON.stringify(state));

    const again = await runAgain(run);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr).toContain('is the very collection this copy reads');
    expect(again.targetWrites).toEqual([]);
  }, 180_000);

  it('a checkpoint that does not record the source\'s collection ids (an older one): nothing written, told why', async () => {
    const away = await startFaultProxy(source.server.url);
    const run = await copyStoppedInVerify('fin_old', away.url);
    await away.close();
    const state = JSON.parse(await readFile(run.statePath, 'utf8')) as { exports: Array<{ finished: Array<{ id?: string }> }> };
    for (const entry of state.exports[0]!.finished) delete entry.id;
    await writeFile(run.statePath, JSON.stringify(state));

    const again = await runAgain(run);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr).toContain('does not record the ids of the source\'s collections');
    expect(again.targetWrites).toEqual([]);
  }, 180_000);
});
