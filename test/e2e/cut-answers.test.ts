/**
 * A source whose answers are cut short while its count stays right: a proxy that cuts every
 * `get` answer to 300 records (a read limit that truncates instead of refusing), and one that
 * hides a record from every answer. A listing, an export page or a read by id shorter than asked
 * must never pass for what the source holds: not to a prune (which once deleted 2,700 live
 * records and said ✓), not to a backup marked finished, not to a verify's ✓. Cut answers are
 * read on until the count agrees; a listing that never agrees stops the run with ✗.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { generateRecords } from '../helpers/fixtures.js';
import { makeTempDir, readAll, removeDir } from '../helpers/backup.js';

const { source, target } = useTwoServers();
const TOTAL = 3_000;
const HIDDEN = 'big-001500';
const COLUMNS = ['ids', 'embeddings', 'documents', 'metadatas', 'uris'] as const;
let cutting: FaultProxy;
let hiding: FaultProxy;
/** In front of the target: each read by id answered with its first 100 records (below a verify's 250). */
let cuttingTarget: FaultProxy;
let dir = '';

/** Each column of a `get` answer kept where `keep(index)`. */
function keepOnly(answer: Record<string, unknown>, keep: (index: number, id: string) => boolean): Record<string, unknown> {
  const ids = answer.ids as string[];
  const kept = { ...answer };
  for (const column of COLUMNS) {
    const values = answer[column];
    if (Array.isArray(values)) kept[column] = values.filter((_, index) => keep(index, ids[index]!));
  }
  return kept;
}

async function seed(url: string): Promise<string> {
  const api = new ChromaApi(endpoint({ url }));
  const info = await api.createCollection({ name: 'big', metadata: null, space: 'l2' });
  const records = [...generateRecords(TOTAL, { dim: 4, prefix: 'big' })];
  for (let from = 0; from < records.length; from += 1_000) await api.upsert(info.id, records.slice(from, from + 1_000), { base64: true });
  return info.id;
}

const targetCount = async () => {
  const api = new ChromaApi(endpoint({ url: target.url }));
  return api.count((await api.findCollection('big'))!.id);
};

beforeAll(async () => {
  dir = await makeTempDir();
  await Promise.all([seed(source.url), seed(target.url)]);
  cutting = await startFaultProxy(source.url, { alterAnswer: { paths: /\/get$/, change: (answer) => keepOnly(answer, (index) => index < 300) } });
  hiding = await startFaultProxy(source.url, { alterAnswer: { paths: /\/get$/, change: (answer) => keepOnly(answer, (_, id) => id !== HIDDEN) } });
  const cutById = (answer: Record<string, unknown>, request: Record<string, unknown>) => (Array.isArray(request.ids) ? keepOnly(answer, (index) => index < 100) : answer);
  cuttingTarget = await startFaultProxy(target.url, { alterAnswer: { paths: /\/get$/, change: cutById } });
}, 300_000);
afterAll(async () => {
  await cutting?.close();
  await hiding?.close();
  await cuttingTarget?.close();
  await removeDir(dir);
});

describe('answers cut to 300 records while the count says 3,000', () => {
  it('sync --prune reads on until the count agrees: nothing deleted, every record compared', async () => {
    // Past the first 300 of a read by id: a cut answer would leave it out, and its change unseen.
    const api = new ChromaApi(endpoint({ url: target.url }));
    const id = (await api.findCollection('big'))!.id;
    await api.upsert(id, [{ id: 'big-000900', document: 'changed on the target', metadata: { index: 900 }, embedding: [0, 0, 0, 0], uri: null }], { base64: true });
    const run = await runCli(['sync', '--collections', 'big', '--source-url', cutting.url, '--url', target.url, '--prune', '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('✓ big: 3,000 on the source, 3,000 on the target before');
    expect(run.stderr).toMatch(/changed\s+1 \(the target.s version replaced by the source.s\): big-000900 \(document/);
    expect(run.stderr).toMatch(/removed\s+0\n/);
    expect(run.stderr).toMatch(/upserted\s+1\n/);
    expect(await targetCount()).toBe(TOTAL);
    const [document] = (await api.get(id, { ids: ['big-000900'], include: ['documents'] })).documents ?? [];
    expect(document).toMatch(/^Document 900 /);
  }, 300_000);

  it('export writes all 3,000, read on past each cut page', async () => {
    const out = join(dir, 'cut.jsonl');
    const run = await runCli(['export', '--all', '--source-url', cutting.url, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr + run.stdout).not.toContain('changed');
    const ids = (await readAll(out, 'big')).map((record) => record.id);
    expect(new Set(ids).size).toBe(TOTAL);
  }, 300_000);

  it('verify --source-url compares all 3,000', async () => {
    const run = await runCli(['verify', '--source-url', cutting.url, '--url', target.url, '--collections', 'big']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/3,000/);
    expect(run.stdout + run.stderr).not.toMatch(/\b300 at the source/);
  }, 300_000);
});

describe('a record hidden from every answer: the listing never agrees with the count', () => {
  const refusal = /"big" at http:\/\/127\.0\.0\.1:\d+ listed 2,999 ids of the 3,000 it counts, 5 times over: a proxy or the server cuts its answers short/;

  it('sync --prune stops with ✗ and deletes nothing', async () => {
    const run = await runCli(['sync', '--collections', 'big', '--source-url', hiding.url, '--url', target.url, '--prune', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(refusal);
    expect(run.stdout + run.stderr).not.toContain('✓');
    expect(await targetCount()).toBe(TOTAL);
  }, 300_000);

  it('export stops with ✗ and leaves no finished backup', async () => {
    const out = join(dir, 'hidden.jsonl');
    const run = await runCli(['export', '--all', '--source-url', hiding.url, '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(refusal);
    expect(existsSync(out)).toBe(false);
  }, 300_000);

  it('verify --source-url stops with ✗', async () => {
    const run = await runCli(['verify', '--source-url', hiding.url, '--url', target.url, '--collections', 'big']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(refusal);
    expect(run.stdout + run.stderr).not.toContain('✓');
  }, 300_000);
});

describe("the target's reads by id cut to 100 records", () => {
  it('verify --source-url: every record found, ✓; a record really deleted on the target: ✗, that one named', async () => {
    const args = ['verify', '--source-url', source.url, '--url', cuttingTarget.url, '--collections', 'big'];
    const whole = await runCli(args);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout + whole.stderr).not.toMatch(/missing/);
    const api = new ChromaApi(endpoint({ url: target.url }));
    const id = (await api.findCollection('big'))!.id;
    const [lost] = [...generateRecords(TOTAL, { dim: 4, prefix: 'big' })].filter((record) => record.id === 'big-002100');
    await api.deleteRecords(id, [lost!.id]);
    try {
      const lacking = await runCli(args);
      expect(lacking.code, lacking.stderr).toBe(1);
      expect(lacking.stdout + lacking.stderr).toMatch(/\b1 missing/);
      expect(lacking.stdout + lacking.stderr).toContain('big-002100');
    } finally {
      await api.upsert(id, [lost!], { base64: true });
    }
  }, 300_000);

  it('verify --input: every record of the file found, ✓', async () => {
    const out = join(dir, 'whole.jsonl');
    expect((await runCli(['export', '--all', '--source-url', source.url, '--out', out])).code).toBe(0);
    const run = await runCli(['verify', '--input', out, '--url', cuttingTarget.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(/missing/);
  }, 300_000);

  it('the same import again: nothing counted missing, nothing sent again', async () => {
    const out = join(dir, 'whole.jsonl');
    const statePath = join(dir, 'import-state.json');
    const args = ['import', '--input', out, '--url', cuttingTarget.url, '--as', 'big_imp', '--if-exists', 'abort'];
    const first = await runCli(args, { CHROMA_MIGRATE_STATE: statePath });
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(args, { CHROMA_MIGRATE_STATE: statePath });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout + again.stderr).not.toMatch(/were not on the target|missing/);
  }, 300_000);
});
