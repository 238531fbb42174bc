/**
 * A rejects line excuses a record only where it was set aside, against REAL 1.5.9 servers:
 * verify against the live source excuses only a record the source still holds exactly as set
 * aside; in a backup of several databases a line excuses only its own database's collection;
 * and an import resumed after Ctrl-C keeps the records an earlier run set aside for 413.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { ensureDatabase } from '../../src/core/chroma/databases.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { inspectBackup, readRecords } from '../../src/core/backup/read.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { RejectsLog } from '../../src/core/sinks/target/rejects.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { useTwoServers } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

let dir = '';
const { source, target } = useTwoServers();

beforeAll(async () => {
  dir = await makeTempDir();
}, 300_000);
afterAll(async () => {
  await removeDir(dir);
});

async function deleteFrom(url: string, collection: string, ids: string[], database?: string): Promise<void> {
  const api = new ChromaApi(endpoint({ url, ...(database ? { database } : {}) }));
  await api.deleteRecords((await api.findCollection(collection))!.id, ids);
}

/** Lines as an import through `refusedBy` writes them for records it refused as too large alone. */
async function writeLines(path: string, refusedBy: string, lines: Array<{ collection: string; database?: string; record: BackupRecord }>): Promise<void> {
  const log = new RejectsLog(path);
  await log.add(lines.map(({ collection, database, record }) => ({ collection, ...(database ? { database } : {}), id: record.id, problems: [{ why: 'set aside by the test as too large alone (413)' }], refusedBy, record })));
}

/** A document large enough that a refusal as too large alone (413) is believed (rejects.ts). */
const LARGE = 'x'.repeat(70 * 1024);
const large = (records: BackupRecord[], ids: number[]) => records.map((record, i) => (ids.includes(i) ? { ...record, document: `${LARGE} ${i}` } : record));

describe('verify against the live source with --rejects', () => {
  it('excuses a record the source holds exactly as set aside, and names one a bogus line tries to hide', async () => {
    const records = large(makeRecords(60, { dim: 8, prefix: 'sp' }), [10, 20]);
    const api = new ChromaApi(endpoint({ url: source.server.url }));
    const info = await api.createCollection({ name: 'spass', metadata: null, space: 'l2' });
    await api.upsert(info.id, records, { base64: true });
    const copied = await runCli(['copy', '--collections', 'spass', '--out', join(dir, 'sp.jsonl'), '--source-url', source.server.url, '--url', target.server.url]);
    expect(copied.code, copied.stderr).toBe(0);

    const rejects = join(dir, 'sp.rejects.jsonl');
    // sp-000010 as the source holds it (excused); sp-000020 a line whose record is not the source's (a valid record, or one since mended).
    await writeLines(rejects, target.server.url, [
      { collection: 'spass', record: records[10]! },
      { collection: 'spass', record: { ...records[20]!, document: `${LARGE} not what the source holds` } },
    ]);
    await deleteFrom(target.server.url, 'spass', ['sp-000010', 'sp-000020']);
    const verify = await runCli(['verify', '--source-url', source.server.url, '--url', target.server.url, '--collections', 'spass', '--rejects', rejects]);
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stderr).toMatch(/missing\s+1: sp-000020/);
    expect(verify.stderr).toMatch(/refused {8}1 by the target[^\n]*: sp-000010\n/);
  }, 300_000);
});

describe('a backup of several databases', () => {
  it("a line of one database (or naming none) does not excuse a record of another database's collection of the same name", async () => {
    const records = large(makeRecords(30, { dim: 8, prefix: 'tw' }), [5, 6]);
    for (const database of ['dba', 'dbb']) {
      const at = endpoint({ url: source.server.url, database });
      await ensureDatabase(at, database);
      const api = new ChromaApi(at);
      const info = await api.createCollection({ name: 'twin', metadata: null, space: 'l2' });
      await api.upsert(info.id, records, { base64: true });
    }
    const out = join(dir, 'twins.jsonl');
    const exported = await runCli(['export', '--all-databases', '--source-url', source.server.url, '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    const imported = await runCli(['import', '--all-databases', '--input', out, '--url', target.server.url, '--yes', '--skip-invalid']);
    expect(imported.code, imported.stderr).toBe(0);

    // The records as the backup holds them, written as lines of database dba (and one naming none).
    const summary = await inspectBackup(out);
    const header = summary.collections.find((entry) => entry.database === 'dba')!;
    const held: BackupRecord[] = [];
    for await (const batch of readRecords(out, header, { batchSize: 100 })) held.push(...batch);
    const byId = (id: string) => held.find((record) => record.id === id)!;
    await writeLines(`${out}.rejects.jsonl`, target.server.url, [
      { collection: 'twin', database: 'dba', record: byId('tw-000005') },
      { collection: 'twin', record: byId('tw-000006') },
    ]);
    await deleteFrom(target.server.url, 'twin', ['tw-000005'], 'dba');
    await deleteFrom(target.server.url, 'twin', ['tw-000005', 'tw-000006'], 'dbb');
    const verify = await runCli(['verify', '--input', out, '--url', target.server.url, '--json']);
    expect(verify.code, verify.stderr).toBe(1);
    const verdicts = JSON.parse(verify.stdout).collections as Array<{ database: string; ok: boolean; missingIds: string[]; refused?: { ids: string[] } }>;
    const dba = verdicts.find((verdict) => verdict.database === 'dba')!;
    const dbb = verdicts.find((verdict) => verdict.database === 'dbb')!;
    expect(dba).toMatchObject({ ok: true, refused: { ids: ['tw-000005'] } });
    expect(dbb.ok).toBe(false);
    expect(dbb.missingIds).toEqual(['tw-000005', 'tw-000006']);
    expect(dbb.refused).toBeUndefined();
  }, 300_000);
});

describe('an import resumed after Ctrl-C keeps what the earlier run set aside for 413', () => {
  it('the resumed import and verify through the same address both count the record as refused, not missing', async () => {
    const proxy = await startFaultProxy(target.server.url, { maxBodyBytes: 200_000, delayMs: 60 });
    try {
      const input = join(dir, 'resume big.json');
      const records = makeRecords(200, { dim: 8, prefix: 'rb' }).map((record, i) => ({ ...record, document: i === 5 ? 'x'.repeat(300 * 1024) : `doc ${i}` }));
      await writePythonRowsJson(input, 'resume413', records, { metadata: { 'hnsw:space': 'l2' } });
      const rejects = `${input}.rejects.jsonl`;
      const state = join(dir, 'resume-state.json');
      const args = ['import', '--input', input, '--url', proxy.url, '--if-exists', 'abort', '--skip-invalid', '--batch', '10', '--concurrency', '1', '--state', state];
      const first = spawnCli(args);
      // Stopped once the batch holding the record is committed (it is set aside) and before the last batch.
      while (!(existsSync(rejects) && (await readFile(rejects, 'utf8')).includes('rb-000005') && /resume413: ([3-9]\d|1\d\d)\/200/.test(first.output()))) {
        expect(first.exitCode, first.output()).toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      first.kill('SIGINT');
      expect(await exitOf(first), first.output()).not.toBe(0);

      const resumed = spawnCli([...args, '--json']);
      const code = await exitOf(resumed);
      expect(code, resumed.output()).toBe(0);
      expect(resumed.output()).toMatch(/"resumedFrom": [1-9]/);
      expect(await readFile(rejects, 'utf8')).toContain('"rb-000005"');
      // Through the proxy that refused it (the server itself would take it: rejects-address.test.ts).
      const verify = await runCli(['verify', '--input', input, '--url', proxy.url]);
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.stderr).toMatch(/refused {8}1 by the target[^\n]*rb-000005/);
    } finally {
      await proxy.close();
    }
  }, 400_000);
});
