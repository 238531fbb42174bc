/**
 * The same import again brings back records lost on the target since an earlier run sent them,
 * instead of trusting its checkpoint or the count: a checkpoint that says every batch was sent
 * (a run stopped before its count), and a finished import whose target lost records and gained
 * as many others (the count alone is equal).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useChromaServer } from '../helpers/chroma.js';
import { makeTempDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const server = useChromaServer();
let dir = '';
const records = makeRecords(400, { dim: 8, prefix: 'mend' });
const ids = records.map((record) => record.id).sort();
const lost = [ids[0]!, ids[1]!, ids[250]!];

beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function collection(name: string): Promise<{ api: ChromaApi; id: string }> {
  const api = new ChromaApi(endpoint({ url: server.url }));
  const info = await api.findCollection(name);
  if (!info) throw new Error(`no ${name}`);
  return { api, id: info.id };
}

async function idsOn(name: string): Promise<string[]> {
  const { api, id } = await collection(name);
  return (await api.get(id, { include: [] })).ids.sort();
}

describe('the same import again mends what the target lost', () => {
  it('a checkpoint at every batch sent but not done: the lost records are sent again, and the run ends equal', async () => {
    const input = join(dir, 'mend.json');
    await writePythonRowsJson(input, 'mend_docs', records, { metadata: { 'hnsw:space': 'l2' } });
    const statePath = join(dir, 'state-a.json');
    const args = ['import', '--input', input, '--url', server.url, '--as', 'mend_a', '--batch', '100', '--if-exists', 'abort'];
    const first = await runCli(args, { CHROMA_MIGRATE_STATE: statePath });
    expect(first.code, first.stderr).toBe(0);
    // As a run stopped after its last batch and before its count leaves it; then the target loses three.
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { imports: Array<{ done: boolean }> };
    state.imports[0]!.done = false;
    await writeFile(statePath, JSON.stringify(state));
    const { api, id } = await collection('mend_a');
    await api.deleteRecords(id, lost);
    const again = await runCli(args, { CHROMA_MIGRATE_STATE: statePath });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr + again.stdout).toContain('"mend_a": 3 of the backup\'s records were not on the target');
    expect(await idsOn('mend_a')).toEqual(ids);
    const third = await runCli(args, { CHROMA_MIGRATE_STATE: statePath });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr + third.stdout).not.toContain('were not on the target');
  }, 180_000);

  it('a finished import whose target lost three and gained three others (the same count): not ✓ by the count; sent again', async () => {
    const input = join(dir, 'mend.json');
    const statePath = join(dir, 'state-b.json');
    const args = ['import', '--input', input, '--url', server.url, '--as', 'mend_b', '--if-exists', 'abort'];
    expect((await runCli(args, { CHROMA_MIGRATE_STATE: statePath })).code).toBe(0);
    const { api, id } = await collection('mend_b');
    await api.deleteRecords(id, lost);
    await api.upsert(id, makeRecords(3, { dim: 8, prefix: 'foreign' }), { base64: true });
    const again = await runCli(args, { CHROMA_MIGRATE_STATE: statePath });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr + again.stdout).toContain('"mend_b": 3 of the backup\'s records were not on the target');
    expect((await idsOn('mend_b')).filter((found) => found.startsWith('mend'))).toEqual(ids);
  }, 180_000);

  it('a record changed on the target: verify names the import --again that writes the backup over it, and that command mends it', async () => {
    const input = join(dir, 'mend.json');
    const statePath = join(dir, 'state-c.json');
    const env = { CHROMA_MIGRATE_STATE: statePath };
    expect((await runCli(['import', '--input', input, '--url', server.url, '--as', 'mend_c', '--if-exists', 'abort'], env)).code).toBe(0);
    const { api, id } = await collection('mend_c');
    await api.upsert(id, [{ ...records[7]!, document: 'tampered' }], { base64: true });
    const verify = await runCli(['verify', '--input', input, '--url', server.url, '--as', 'mend_c'], env);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain("Differing records: to write the backup's over them, run:");
    const printed = verify.stderr.split('\n').find((line) => line.includes('--again'))!.trim().split(' ');
    expect(printed.slice(0, 2)).toEqual(['chroma-migrate', 'import']);
    const mend = await runCli(printed.slice(1).map((word) => word.replace(/^'(.*)'$/, '$1')), env);
    expect(mend.code, mend.stderr).toBe(0);
    expect((await runCli(['verify', '--input', input, '--url', server.url, '--as', 'mend_c'], env)).code).toBe(0);
  }, 180_000);
});
