/**
 * A rejects file excuses a record only when the backup still holds exactly what was set aside,
 * against a REAL 1.5.9 server: a hand-added line (a valid record deleted from the target) and a
 * backup re-written with the refused record mended (the old rejects file still beside it) must
 * both make verify fail with the record missing, never pass it as "refused by the target".
 */
import { appendFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { useChromaServer } from '../helpers/chroma.js';
import { makeTempDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';
import { RejectsLog } from '../../src/core/sinks/target/rejects.js';

const server = useChromaServer();
let dir = '';
let input = '';
const records = (mended: boolean): BackupRecord[] =>
  makeRecords(120, { dim: 8, prefix: 'rt' }).map((record, i) => (i === 50 ? { ...record, metadata: mended ? { dollar: 'x' } : { $dollar: 'x' } } : record));

beforeAll(async () => {
  dir = await makeTempDir();
  input = join(dir, 'rt backup.json');
  await writePythonRowsJson(input, 'rtrust', records(false), { metadata: { 'hnsw:space': 'l2' } });
  const run = await runCli(['import', '--input', input, '--url', server.url, '--if-exists', 'abort', '--skip-invalid']);
  expect(run.code, run.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function deleteFromTarget(id: string): Promise<void> {
  const api = new ChromaApi(endpoint({ url: server.url }));
  await api.deleteRecords((await api.findCollection('rtrust'))!.id, [id]);
}

describe('verify trusts a rejects file only for the records it really set aside', () => {
  it('a line added by hand for a valid record does not hide that record missing', async () => {
    const rejects = `${input}.rejects.jsonl`;
    const [line] = (await readFile(rejects, 'utf8')).trim().split('\n');
    const forged = JSON.parse(line!) as { id: string; record: { id: string } };
    await appendFile(rejects, `${JSON.stringify({ ...forged, id: 'rt-000051' })}\n`);
    await deleteFromTarget('rt-000051');
    const verify = await runCli(['verify', '--input', input, '--url', server.url]);
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stderr).toMatch(/missing {8}1: rt-000051/);
    expect(verify.stderr).toMatch(/refused {8}1 by the target[^\n]*: rt-000050\n/);
  }, 300_000);

  it('a line copied exactly from the backup with no reason, or claiming a small record was too large alone, excuses nothing', async () => {
    const rejects = `${input}.rejects.jsonl`;
    const valid = records(false);
    const log = new RejectsLog(rejects);
    await log.add([
      { collection: 'rtrust', id: 'rt-000052', problems: [], record: valid[52]! },
      { collection: 'rtrust', id: 'rt-000053', problems: [{ why: 'about 0.0 MB as a request; it was refused even alone (413 Payload too large)' }], record: valid[53]! },
    ]);
    await deleteFromTarget('rt-000052');
    await deleteFromTarget('rt-000053');
    try {
      const verify = await runCli(['verify', '--input', input, '--url', server.url]);
      expect(verify.code, verify.stderr).toBe(1);
      expect(verify.stderr).toMatch(/missing {8}\d: [^\n]*rt-000052, rt-000053/);
      expect(verify.stderr).not.toMatch(/refused {8}[^\n]*rt-00005[23]/);
    } finally {
      // As they were, for the next test.
      const api = new ChromaApi(endpoint({ url: server.url }));
      await api.upsert((await api.findCollection('rtrust'))!.id, [valid[52]!, valid[53]!], { base64: true });
    }
  }, 300_000);

  it('a backup re-written with the refused record mended: the stale rejects line no longer excuses it', async () => {
    await writePythonRowsJson(input, 'rtrust', records(true), { metadata: { 'hnsw:space': 'l2' } });
    const verify = await runCli(['verify', '--input', input, '--url', server.url]);
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stderr).toMatch(/missing {8}2: rt-000050, rt-000051/);
    expect(verify.stderr).not.toMatch(/refused {8}/);
  }, 300_000);
});
