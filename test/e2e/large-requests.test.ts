/**
 * Requests that fit, against a REAL Chroma server: 300 records of 200 KB documents are ~60 MB
 * at the default batch of 1,000, past the ~36 MB a single node takes (413 Payload too large).
 * The batch is halved until it goes through and that size is kept for the rest of the
 * collection. A record that no request can carry is refused by id.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { importBackup } from '../../src/core/operations/import.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { useChromaServer } from '../helpers/chroma.js';
import { expectMigrateError, makeTempDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const chroma = useChromaServer();
let dir = '';

beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function withDocuments(records: BackupRecord[], bytes: (i: number) => number): BackupRecord[] {
  return records.map((record, i) => ({ ...record, document: `${i} `.padEnd(bytes(i), 'abcdefghij') }));
}

it('300 records of 200 KB documents import with default flags and verify', async () => {
  const input = join(dir, 'large.json');
  await writePythonRowsJson(input, 'large_docs', withDocuments(makeRecords(300, { dim: 8 }), () => 200 * 1024), { metadata: { 'hnsw:space': 'l2' } });
  const run = await runCli(['import', '--input', input, '--url', chroma.url, '--if-exists', 'abort', '--json']);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toMatch(/refused a request as too large \(413\); sending \d+ records per request/);
  const result = JSON.parse(run.stdout) as { collections: Array<{ count: number; expected: number; missing: number }> };
  expect(result.collections[0]).toMatchObject({ count: 300, expected: 300, missing: 0 });
  const verdict = await verifyBackup({ input, target: endpoint({ url: chroma.url }), sample: 10 });
  expect(verdict.ok).toBe(true);
}, 300_000);

it('a record no request can carry is refused up front by id, with the limit in words, nothing written', async () => {
  const input = join(dir, 'huge.json');
  await writePythonRowsJson(input, 'huge_doc', withDocuments(makeRecords(3, { dim: 8 }), (i) => (i === 1 ? 45 * 1024 * 1024 : 100)), { metadata: { 'hnsw:space': 'l2' } });
  await expectMigrateError(
    importBackup({ input, target: endpoint({ url: chroma.url }), ifExists: 'abort', statePath: join(dir, 'state.json') }),
    'CANNOT_HOLD',
    /1 record of "huge_doc" — "rec-000001": about 45\.\d MB as a request; a single Chroma server refuses requests above about 36–40 MB \(413 Payload too large\).*Nothing was written/,
  );
}, 300_000);
