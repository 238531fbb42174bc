/**
 * A refusal as too large (413) belongs to the address that answered it, against REAL 1.5.9
 * servers behind a proxy with a 60 KB body limit: a record set aside for 413 while importing (or
 * copying) through the proxy is excused when verify checks the proxy, and counts as missing,
 * named with the proxy's address, when verify checks the server directly, which takes it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const { source, target } = useTwoServers();
let dir = '';
let proxy: FaultProxy;

/** Above the 64 KiB a refusal as too large alone is believed for, and above the proxy's limit. */
const LARGE = 'x'.repeat(70 * 1024);
const records = (prefix: string): BackupRecord[] => makeRecords(40, { dim: 8, prefix }).map((record, i) => (i === 7 ? { ...record, document: `${LARGE} ${i}` } : record));

beforeAll(async () => {
  dir = await makeTempDir();
  proxy = await startFaultProxy(target.server.url, { maxBodyBytes: 60_000 });
}, 300_000);
afterAll(async () => {
  await proxy?.close();
  await removeDir(dir);
});

interface JsonVerdict {
  ok: boolean;
  missing: number;
  missingIds: string[];
  refused?: { ids: string[] };
  tooLargeElsewhere?: { count: number; ids: string[]; by: string[] };
}

async function collectionOf(url: string, name: string): Promise<{ api: ChromaApi; id: string }> {
  const api = new ChromaApi(endpoint({ url }));
  return { api, id: (await api.findCollection(name))!.id };
}

describe('an import through a proxy that refused a large record (413)', () => {
  const input = () => join(dir, 'via proxy.json');

  beforeAll(async () => {
    await writePythonRowsJson(input(), 'viaproxy', records('vp'), { metadata: { 'hnsw:space': 'l2' } });
    const run = await runCli(['import', '--input', input(), '--url', proxy.url, '--if-exists', 'abort', '--skip-invalid', '--batch', '10']);
    expect(run.code, run.stderr).toBe(0);
  }, 300_000);

  it('the rejects line names the address that refused it', async () => {
    const line = JSON.parse((await readFile(`${input()}.rejects.jsonl`, 'utf8')).trim()) as { id: string; refusedBy?: string };
    expect(line).toMatchObject({ id: 'vp-000007', refusedBy: proxy.url });
  });

  it('verify through the same proxy excuses it: that address refuses it', async () => {
    const verify = await runCli(['verify', '--input', input(), '--url', proxy.url]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toMatch(/refused {8}1 by the target[^\n]*: vp-000007\n/);
  }, 300_000);

  it('verify against the server directly counts it missing, names the proxy that refused it, and says how to send it', async () => {
    const verify = await runCli(['verify', '--input', input(), '--url', target.server.url]);
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stderr).toMatch(/missing {8}1: vp-000007\n/);
    expect(verify.stderr).not.toMatch(/refused {8}/);
    expect(verify.stderr).toContain(`refused as too large (413) by ${proxy.url} when it was sent`);
    expect(verify.stderr).toMatch(/chroma-migrate import --input [^\n]*--url [^\n]*--again/);

    const json = await runCli(['verify', '--input', input(), '--url', target.server.url, '--json']);
    expect(json.code, json.stderr).toBe(1);
    const [verdict] = JSON.parse(json.stdout).collections as JsonVerdict[];
    expect(verdict).toMatchObject({ ok: false, missing: 1, missingIds: ['vp-000007'], tooLargeElsewhere: { count: 1, ids: ['vp-000007'], by: [proxy.url] } });
    expect(verdict!.refused).toBeUndefined();
  }, 300_000);

  it('held by the server, it is compared like any other; deleted from it, it is missing', async () => {
    const { api, id } = await collectionOf(target.server.url, 'viaproxy');
    await api.upsert(id, [records('vp')[7]!], { base64: true });
    const held = await runCli(['verify', '--input', input(), '--url', target.server.url]);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stderr).not.toMatch(/refused|too large/);

    await api.deleteRecords(id, ['vp-000007']);
    const deleted = await runCli(['verify', '--input', input(), '--url', target.server.url]);
    expect(deleted.code, deleted.stderr).toBe(1);
    expect(deleted.stderr).toMatch(/missing {8}1: vp-000007\n/);
  }, 300_000);

  it('the command it gives sends it through the server directly (the rejects file then goes), and verify passes', async () => {
    const sent = await runCli(['import', '--input', input(), '--url', target.server.url, '--if-exists', 'append', '--again']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(existsSync(`${input()}.rejects.jsonl`)).toBe(false);
    const verify = await runCli(['verify', '--input', input(), '--url', target.server.url]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toMatch(/✓ viaproxy: 40 from the backup, all equal\n/);
  }, 300_000);
});

describe('a copy through a proxy that refused a large record (413), verified against the live source', () => {
  it('excused through the proxy, missing against the server directly', async () => {
    const api = new ChromaApi(endpoint({ url: source.server.url }));
    const info = await api.createCollection({ name: 'copyproxy', metadata: null, space: 'l2' });
    await api.upsert(info.id, records('cp'), { base64: true });
    const out = join(dir, 'cp.jsonl');
    const copied = await runCli(['copy', '--collections', 'copyproxy', '--out', out, '--source-url', source.server.url, '--url', proxy.url, '--skip-invalid', '--batch', '10']);
    expect(copied.code, copied.stderr).toBe(0);
    const rejects = `${out}.rejects.jsonl`;
    expect(await readFile(rejects, 'utf8')).toContain('"cp-000007"');

    const same = await runCli(['verify', '--source-url', source.server.url, '--url', proxy.url, '--collections', 'copyproxy', '--rejects', rejects]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toMatch(/refused {8}1 by the target[^\n]*: cp-000007\n/);

    const direct = await runCli(['verify', '--source-url', source.server.url, '--url', target.server.url, '--collections', 'copyproxy', '--rejects', rejects, '--json']);
    expect(direct.code, direct.stderr).toBe(1);
    const [verdict] = JSON.parse(direct.stdout).collections as JsonVerdict[];
    expect(verdict).toMatchObject({ ok: false, missing: 1, missingIds: ['cp-000007'], tooLargeElsewhere: { count: 1, ids: ['cp-000007'], by: [proxy.url] } });
    expect(verdict!.refused).toBeUndefined();
  }, 300_000);
});
