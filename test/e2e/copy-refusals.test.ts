/**
 * What a target refuses, for copy and for a record too large even alone, against REAL servers:
 * a source on 1.0.1 holding "$" and "#" metadata keys (1.0.1 takes them, 1.5.9 refuses them),
 * copied into 1.5.9; and a proxy in front of 1.5.9 whose body limit one record exceeds alone.
 * `copy --dry-run` shows the plan and writes nothing; `--skip-invalid` sets the refused records
 * aside in BACKUP.rejects.jsonl and every verify lists them as "refused by the target"; a later
 * run that refuses nothing leaves no rejects file behind to hide a missing record.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { useChromaServer } from '../helpers/chroma.js';
import { makeTempDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const newServer = useChromaServer();
const oldServer = useChromaServer({ release: 'old' });
let dir = '';
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await proxy?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function holds(url: string, collection: string, ids: string[]): Promise<string[]> {
  const api = new ChromaApi(endpoint({ url }));
  const info = await api.findCollection(collection);
  return info ? (await api.get(info.id, { ids, include: [] })).ids.sort() : [];
}

async function rejectsIn(path: string): Promise<Array<{ collection: string; id: string; problems: Array<{ key?: string; why: string }> }>> {
  return (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { collection: string; id: string; problems: Array<{ key?: string; why: string }> });
}

describe('copy from 1.0.1 into 1.5.9 with "$" and "#" metadata keys', () => {
  const refusedIds = ['cs-000150', 'cs-000250'];
  beforeAll(async () => {
    const api = new ChromaApi(endpoint({ url: oldServer.url }));
    const info = await api.createCollection({ name: 'cs_refuse', metadata: null, space: 'l2' });
    const records = makeRecords(300, { dim: 8, prefix: 'cs' });
    records[150] = { ...records[150]!, metadata: { $dollar: 'x' } };
    records[250] = { ...records[250]!, metadata: { '#hash': 2 } };
    await api.upsert(info.id, records, { base64: true });
  }, 180_000);

  it('--dry-run shows the plan (what it creates, what it would refuse) and writes nothing; --json the same', async () => {
    const out = join(dir, 'dry.jsonl.gz');
    const state = join(dir, 'dry-state.json');
    const base = ['copy', '--source-url', oldServer.url, '--url', newServer.url, '--out', out, '--collections', 'cs_refuse', '--state', state, '--dry-run'];
    const run = await runCli(base);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/Plan \(--dry-run: nothing was written\)/);
    expect(run.stderr).toMatch(/"cs_refuse": 300 records\n {4}target {9}absent → create it\n {4}creates {8}space l2/);
    expect(run.stderr).toMatch(/✗ refused {6}2 record\(s\) the target would refuse[^\n]*\n {6}- "cs-000150": key "\$dollar"[^\n]*\n {6}- "cs-000250": key "#hash"/);
    const json = await runCli([...base, '--json', '--skip-invalid']);
    expect(json.code, json.stderr).toBe(0);
    const plan = JSON.parse(json.stdout) as { ok: boolean; dryRun: boolean; collections: Array<{ name: string; action: string; records: number; refused: Array<{ id: string }> }> };
    expect(plan).toMatchObject({ ok: true, dryRun: true });
    expect(plan.collections.map((entry) => [entry.name, entry.action, entry.records, entry.refused.map((refused) => refused.id)])).toEqual([['cs_refuse', 'create', 300, refusedIds]]);
    // Nothing written: no target collection, no backup (nor its partial), no rejects, no state.
    expect(await new ChromaApi(endpoint({ url: newServer.url })).findCollection('cs_refuse')).toBeNull();
    for (const path of [out, `${out}.partial`, `${out}.rejects.jsonl`, state]) expect(existsSync(path), path).toBe(false);
  }, 300_000);

  it('--skip-invalid copies the rest, writes the rejects file, and every verify lists them as refused, not missing', async () => {
    const out = join(dir, 'cs.jsonl.gz');
    const rejects = `${out}.rejects.jsonl`;
    const run = await runCli(['copy', '--source-url', oldServer.url, '--url', newServer.url, '--out', out, '--collections', 'cs_refuse', '--if-exists', 'abort', '--page-size', '100', '--skip-invalid', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      ok: boolean;
      rejects: { path: string; records: number };
      imported: Array<{ expected: number; count: number; missing: number; refused?: number }>;
      verify: Array<{ ok: boolean; missing: number; refused?: { count: number; ids: string[] } }>;
    };
    expect(result.rejects).toEqual({ path: rejects, records: 2 });
    expect(result.imported[0]).toMatchObject({ expected: 298, count: 298, missing: 0, refused: 2 });
    expect(result.verify[0]).toMatchObject({ ok: true, missing: 0, refused: { count: 2, ids: refusedIds } });
    expect((await rejectsIn(rejects)).map((entry) => [entry.collection, entry.id, entry.problems[0]?.key])).toEqual([
      ['cs_refuse', 'cs-000150', '$dollar'],
      ['cs_refuse', 'cs-000250', '#hash'],
    ]);
    expect(await holds(newServer.url, 'cs_refuse', [...refusedIds, 'cs-000149'])).toEqual(['cs-000149']);

    const fromFile = await runCli(['verify', '--input', out, '--url', newServer.url]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stderr).toMatch(/refused {8}2 by the target, left out as chosen \(--skip-invalid\), listed in .*cs\.jsonl\.gz\.rejects\.jsonl: cs-000150, cs-000250/);
    const fromSource = ['verify', '--source-url', oldServer.url, '--url', newServer.url, '--collections', 'cs_refuse'];
    const withRejects = await runCli([...fromSource, '--rejects', rejects]);
    expect(withRejects.code, withRejects.stderr).toBe(0);
    expect(withRejects.stderr).toMatch(/refused {8}2 by the target/);
    const misnamed = await runCli([...fromSource, '--rejects', `${rejects}.nope`]);
    expect(misnamed.code, misnamed.stderr).toBe(2);
    expect(misnamed.stderr).toMatch(/no such file/);
    // Without the rejects file the source's reference counts them missing: the proof stays honest.
    const without = await runCli(fromSource);
    expect(without.code, without.stderr).toBe(1);
    expect(without.stderr).toMatch(/cs-000150/);
  }, 300_000);
});

describe('a record too large for one request even alone (a proxy with a 200 KB body limit in front of 1.5.9)', () => {
  let input = '';
  const records = (bigAt: number | null): BackupRecord[] =>
    makeRecords(60, { dim: 8, prefix: 'big' }).map((record, i) => ({ ...record, document: i === bigAt ? 'x'.repeat(300 * 1024) : `doc ${i}` }));

  beforeAll(async () => {
    proxy = await startFaultProxy(newServer.url, { maxBodyBytes: 200_000 });
    input = join(dir, 'big.json');
    await writePythonRowsJson(input, 'big413', records(30), { metadata: { 'hnsw:space': 'l2' } });
  }, 120_000);

  it('without --skip-invalid it is refused by id with the limit in words, exit 1', async () => {
    const run = await runCli(['import', '--input', input, '--url', proxy!.url, '--if-exists', 'abort']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/Record "big-000030" of "big413" is about 0\.3 MB as a request, and .* refuses it even alone \(413 Payload too large\): a single Chroma server takes requests of up to about 36 MB, and a proxy in front of it may take less/);
    expect(run.stderr).toMatch(/--skip-invalid/);
  }, 300_000);

  it('with --skip-invalid it goes to the rejects file, the rest is imported, and verify through the proxy passes listing it', async () => {
    const run = await runCli(['import', '--input', input, '--url', proxy!.url, '--if-exists', 'recreate', '--skip-invalid', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { rejects: { path: string; records: number }; collections: Array<{ expected: number; count: number; missing: number; refused?: number }> };
    expect(result.rejects).toEqual({ path: `${input}.rejects.jsonl`, records: 1 });
    expect(result.collections[0]).toMatchObject({ expected: 59, count: 59, missing: 0, refused: 1 });
    const [entry] = await rejectsIn(`${input}.rejects.jsonl`);
    expect(entry).toMatchObject({ collection: 'big413', id: 'big-000030' });
    expect(entry?.problems[0]?.why).toMatch(/413 Payload too large/);
    const verify = await runCli(['verify', '--input', input, '--url', proxy!.url]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toMatch(/refused {8}1 by the target[^\n]*big-000030/);
    // The server itself takes it: the proxy's 413 does not excuse it there.
    const direct = await runCli(['verify', '--input', input, '--url', newServer.url]);
    expect(direct.code, direct.stderr).toBe(1);
    expect(direct.stderr).toMatch(/missing {8}1: big-000030\n/);
  }, 300_000);

  it('a stale rejects file does not hide a missing record: a later import that refuses nothing removes it', async () => {
    expect(existsSync(`${input}.rejects.jsonl`)).toBe(true);
    // Straight to the server (no proxy): the record fits now, nothing is refused.
    const run = await runCli(['import', '--input', input, '--url', newServer.url, '--if-exists', 'append']);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(`${input}.rejects.jsonl`)).toBe(false);
    const api = new ChromaApi(endpoint({ url: newServer.url }));
    const info = (await api.findCollection('big413'))!;
    await api.deleteRecords(info.id, ['big-000030']);
    const verify = await runCli(['verify', '--input', input, '--url', newServer.url]);
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stderr).toMatch(/missing[^\n]*big-000030/);
    expect(verify.stderr).not.toMatch(/refused {8}/);
  }, 300_000);

  it('copy --skip-invalid sets it aside the same way, and its own verify counts it as refused', async () => {
    // The source (1.0.1, no proxy) takes the large record.
    const imported = await runCli(['import', '--input', input, '--url', oldServer.url, '--if-exists', 'abort']);
    expect(imported.code, imported.stderr).toBe(0);
    const out = join(dir, 'big-copy.jsonl.gz');
    // One state for both copies, as in one project folder: the second writes the first's file again.
    const state = ['--state', join(dir, 'big-copy-state.json')];
    const run = await runCli(['copy', '--source-url', oldServer.url, '--url', proxy!.url, '--out', out, '--collections', 'big413', '--as', 'big413_copy', '--if-exists', 'abort', '--skip-invalid', '--json', ...state]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { rejects: { records: number }; verify: Array<{ ok: boolean; refused?: { ids: string[] } }> };
    expect(result.rejects.records).toBe(1);
    expect(result.verify[0]).toMatchObject({ ok: true, refused: { ids: ['big-000030'] } });

    // A later copy to the same file that refuses nothing (straight to the server) leaves no rejects behind.
    const again = await runCli(['copy', '--source-url', oldServer.url, '--url', newServer.url, '--out', out, '--collections', 'big413', '--as', 'big413_copy', '--if-exists', 'append', '--json', ...state]);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(`${out}.rejects.jsonl`)).toBe(false);
    expect(await holds(newServer.url, 'big413_copy', ['big-000030'])).toEqual(['big-000030']);
  }, 300_000);
});

it('copy refuses a collection the target would not create before anything is written (an "unknown" EF into 1.0.1)', async () => {
  const api = new ChromaApi(endpoint({ url: newServer.url }));
  for (const name of ['cp_a', 'cp_unknown']) {
    const info = await api.createCollection({ name, metadata: null, configuration: { hnsw: { space: 'cosine' }, ...(name === 'cp_unknown' ? { embedding_function: { type: 'unknown' } } : {}) } });
    await api.upsert(info.id, makeRecords(20, { dim: 8, prefix: name }), { base64: true });
  }
  const out = join(dir, 'ef-copy.jsonl.gz');
  const run = await runCli(['copy', '--source-url', newServer.url, '--url', oldServer.url, '--out', out, '--collections', 'cp_a,cp_unknown', '--if-exists', 'abort']);
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toMatch(/would refuse to create "cp_unknown": the embedding function type "unknown" is unknown to this server.*Nothing was written: no collection was created/);
  const old = new ChromaApi(endpoint({ url: oldServer.url }));
  expect(await old.findCollection('cp_a')).toBeNull();
  expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
}, 300_000);
