/**
 * Plan every collection before writing any, against REAL servers: a backup whose second
 * collection holds a "$"-prefixed metadata key (1.0.1 takes it, 1.5.9 refuses it) and an
 * embedding function of type "unknown" (1.5.9 takes it, 1.0.1 answers 422). Each refusal comes
 * before the first write, naming collection, id and key; --skip-invalid imports the rest and
 * writes the rejects file; --dry-run prints the same plan and writes nothing.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { exportCollections } from '../../src/core/operations/export.js';
import { importBackup } from '../../src/core/operations/import.js';
import { copyCollections } from '../../src/core/operations/copy.js';
import { useChromaServer } from '../helpers/chroma.js';
import { expectMigrateError, makeTempDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords, writePythonMultiJson } from '../helpers/fixtures.js';

const newServer = useChromaServer();
const oldServer = useChromaServer({ release: 'old' });
let dir = '';
let dollar = '';

beforeAll(async () => {
  dir = await makeTempDir();
  dollar = join(dir, 'dollar.json');
  const second = makeRecords(50, { dim: 8, prefix: 'second' });
  second[7] = { ...second[7]!, metadata: { ...second[7]!.metadata, $dollar: 1 } };
  await writePythonMultiJson(dollar, [
    { name: 'first', metadata: { 'hnsw:space': 'l2' }, records: makeRecords(40, { dim: 8, prefix: 'first' }) },
    { name: 'second', metadata: { 'hnsw:space': 'l2' }, records: second },
  ]);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function names(url: string): Promise<string[]> {
  return (await new ChromaApi(endpoint({ url })).allCollections()).map((info) => info.name).sort();
}

describe('a "$"-prefixed metadata key in the second of two collections, into 1.5.9', () => {
  it('is refused before anything is written, naming collection, id and key', async () => {
    await expectMigrateError(
      importBackup({ input: dollar, target: endpoint({ url: newServer.url }), ifExists: 'abort', statePath: join(dir, 'state-refused.json') }),
      'CANNOT_HOLD',
      /1 record of "second" — "second-000007": key "\$dollar" — metadata keys starting with "\$" are refused.*Nothing was written: no collection was created/,
    );
    expect(await names(newServer.url)).toEqual([]);
  }, 120_000);

  it('--dry-run shows the plan, exits 1 and writes nothing; --json carries the same', async () => {
    const run = await runCli(['import', '--input', dollar, '--url', newServer.url, '--dry-run']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/"first": 40 records\n {4}target {9}absent → create it/);
    expect(run.stderr).toMatch(/✗ refused {6}1 record\(s\) the target would refuse[^\n]*\n {6}- "second-000007": key "\$dollar"/);
    const json = await runCli(['import', '--input', dollar, '--url', newServer.url, '--dry-run', '--json', '--skip-invalid']);
    expect(json.code, json.stderr).toBe(0);
    const plan = JSON.parse(json.stdout) as { dryRun: boolean; collections: Array<{ name: string; action: string; refused: Array<{ id: string; problems: Array<{ key?: string }> }> }> };
    expect(plan.dryRun).toBe(true);
    expect(plan.collections.map((entry) => [entry.name, entry.action, entry.refused.length])).toEqual([
      ['first', 'create', 0],
      ['second', 'create', 1],
    ]);
    expect(plan.collections[1]?.refused[0]).toMatchObject({ id: 'second-000007', problems: [{ key: '$dollar' }] });
    expect(await names(newServer.url)).toEqual([]);
  }, 120_000);

  it('with --skip-invalid imports the rest and writes the rejects file next to the backup', async () => {
    const run = await runCli(['import', '--input', dollar, '--url', newServer.url, '--if-exists', 'abort', '--skip-invalid', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { collections: Array<{ collection: string; count: number; expected: number; missing: number; refused?: number }>; rejects: { path: string; records: number } };
    expect(result.collections).toMatchObject([
      { collection: 'first', count: 40, expected: 40, missing: 0 },
      { collection: 'second', count: 49, expected: 49, missing: 0, refused: 1 },
    ]);
    expect(result.rejects).toEqual({ path: `${dollar}.rejects.jsonl`, records: 1 });
    const rejects = (await readFile(`${dollar}.rejects.jsonl`, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { collection: string; id: string; record: { metadata: Record<string, unknown> } });
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ collection: 'second', id: 'second-000007', record: { metadata: { $dollar: 1 } } });
    // verify lists them as refused by the target, not as missing.
    const verify = await runCli(['verify', '--input', dollar, '--url', newServer.url]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toMatch(/refused {8}1 by the target, left out as chosen \(--skip-invalid\), listed in .*dollar\.json\.rejects\.jsonl: second-000007/);
  }, 120_000);

  it('1.0.1 takes the same backup whole', async () => {
    const result = await importBackup({ input: dollar, target: endpoint({ url: oldServer.url }), ifExists: 'abort', statePath: join(dir, 'state-old.json') });
    expect(result.collections.map((entry) => [entry.collection, entry.count, entry.missing])).toEqual([
      ['first', 40, 0],
      ['second', 50, 0],
    ]);
  }, 120_000);
});

it('an embedding function of type "unknown" into 1.0.1 is refused before any collection is written', async () => {
  // Made on 1.5.9, which takes the type, then exported: three plain collections and one with it.
  const api = new ChromaApi(endpoint({ url: newServer.url }));
  const made = ['ef_a', 'ef_b', 'ef_c', 'ef_unknown'];
  for (const name of made) {
    const info = await api.createCollection({ name, metadata: null, configuration: { hnsw: { space: 'cosine' }, ...(name === 'ef_unknown' ? { embedding_function: { type: 'unknown' } } : {}) } });
    await api.upsert(info.id, makeRecords(20, { dim: 8, prefix: name }), { base64: true });
  }
  const out = join(dir, 'ef.jsonl.gz');
  await exportCollections({ source: endpoint({ url: newServer.url }), out, collections: made, statePath: join(dir, 'state-ef-export.json') });
  const before = await names(oldServer.url);
  await expectMigrateError(
    importBackup({ input: out, target: endpoint({ url: oldServer.url }), ifExists: 'abort', statePath: join(dir, 'state-ef.json') }),
    'CANNOT_HOLD',
    /would refuse to create "ef_unknown": the embedding function type "unknown" is unknown to this server.*Nothing was written: no collection was created/,
  );
  expect(await names(oldServer.url)).toEqual(before);
  expect(existsSync(`${out}.rejects.jsonl`)).toBe(false);
}, 180_000);

it('copy checks each page before sending it: a "$" key read from 1.0.1 stops the copy into 1.5.9 before that page', async () => {
  const api = new ChromaApi(endpoint({ url: oldServer.url }));
  const info = await api.createCollection({ name: 'copy_dollar', metadata: null, space: 'l2' });
  const records = makeRecords(300, { dim: 8, prefix: 'cd' });
  records[150] = { ...records[150]!, metadata: { $dollar: 'x' } };
  await api.upsert(info.id, records, { base64: true });
  await expectMigrateError(
    copyCollections({
      source: endpoint({ url: oldServer.url }),
      target: endpoint({ url: newServer.url }),
      out: join(dir, 'copy.jsonl.gz'),
      collections: ['copy_dollar'],
      ifExists: 'abort',
      pageSize: 100,
      statePath: join(dir, 'state-copy.json'),
    }),
    'CANNOT_HOLD',
    /1 record of "copy_dollar" — "cd-000150": key "\$dollar".*The copy stopped before sending that page/,
  );
  const target = new ChromaApi(endpoint({ url: newServer.url }));
  const copied = await target.findCollection('copy_dollar');
  const held = copied ? await target.get(copied.id, { ids: ['cd-000150'], include: [] }) : { ids: [] };
  expect(held.ids).toEqual([]);
}, 180_000);
