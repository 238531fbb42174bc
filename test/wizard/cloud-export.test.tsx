/**
 * Step 1 from Chroma Cloud, through the wizard: the API key from .env (masked), the collection
 * choice, the export with progress, the summary with the breakdown by client. "Cloud" is a real
 * Chroma behind the test proxy enforcing Cloud's rules: 300 records per read (422 above), and
 * the API key in X-Chroma-Token (401 without it). CHROMA_CLOUD_HOST points the wizard at it.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { startTestServer } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';
import { KEY, press, typeLine, waitForFrame } from '../helpers/ink.js';
import { mountWizard, tempDir, testServices, type Mounted } from './harness.js';

const API_KEY = 'ck-7d1e0c9b8a6f5e4d3c2b1a09';
const SIZES = { cro_audit_issues: 700, vendor_notes: 45 };

let dir = '';
let chroma: Awaited<ReturnType<typeof startTestServer>>;
let cloud: FaultProxy;
let app: Mounted | undefined;

beforeAll(async () => {
  dir = await tempDir();
  chroma = await startTestServer();
  const api = new ChromaApi(endpoint({ url: chroma.server.url }));
  for (const [name, size] of Object.entries(SIZES)) {
    const info = await api.createCollection({ name, metadata: null, space: 'cosine' });
    const records = makeRecords(size, { dim: 8, prefix: name });
    for (let i = 0; i < size; i += 300) await api.upsert(info.id, records.slice(i, i + 300), { base64: true });
  }
  cloud = await startFaultProxy(chroma.server.url, { cloudQuota: true, token: { value: API_KEY, header: 'x-chroma-token' } });
});
afterAll(async () => {
  await cloud?.close();
  await chroma?.cleanup();
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});
afterEach(() => {
  app?.stop();
  app = undefined;
});

describe('step 1 from Chroma Cloud', () => {
  it('exports every collection within Cloud\'s quotas with the key from .env, never showing it', async () => {
    const services = testServices({
      dir,
      env: { CHROMA_API_KEY: API_KEY, CHROMA_TENANT: 'default_tenant', CHROMA_DATABASE: 'default_database', CHROMA_CLOUD_HOST: cloud.url },
    });
    app = mountWizard(services);
    await waitForFrame(app, 'Begin');
    await press(app, KEY.enter);

    const source = await waitForFrame(app, 'Where is your data?');
    expect(source).toContain('Export from Chroma Cloud with the key in .env (••••1a09)');
    await press(app, KEY.enter); // the key in .env: the first option

    const chooser = await waitForFrame(app, 'Collections to export', 20_000);
    expect(chooser).toContain('cro_audit_issues');
    expect(chooser).toContain('vendor_notes');
    await press(app, KEY.enter); // all, as offered

    await waitForFrame(app, 'Write the backup to');
    await typeLine(app, 'cloud-backup.jsonl.gz');
    const summary = await waitForFrame(app, 'Continue to step 2', 30_000);
    expect(summary).toContain('cloud-backup.jsonl.gz');
    expect(summary).toContain('745 records');
    expect(summary).toContain('cro_audit_issues: 700 records, 8-d, cosine');
    expect(summary).toContain('vendor_notes: 45 records, 8-d, cosine');
    for (const frame of app.frames) expect(frame).not.toContain(API_KEY);

    // Cloud's rules held: no read above 300 (a 422 would have failed the export), every data
    // request carried the key, and nothing was written to the source.
    expect(cloud.log.filter((entry) => entry.status === 422 || entry.status === 401)).toEqual([]);
    expect(cloud.log.filter((entry) => /\/(add|upsert|update|delete)$/.test(entry.path))).toEqual([]);

    const verdict = await verifyBackup({ input: join(dir, 'cloud-backup.jsonl.gz'), target: endpoint({ url: chroma.server.url }), sample: 10 });
    expect(verdict.ok).toBe(true);
    expect(verdict.collections.map((entry) => [entry.collection, entry.count, entry.missing, entry.differing])).toEqual([
      ['cro_audit_issues', 700, 0, 0],
      ['vendor_notes', 45, 0, 0],
    ]);
  }, 60_000);

  it("a file of the user's under the typed name is kept: the question comes again, naming it, and the offered name is one not taken", async () => {
    const mine = join(dir, 'mine.jsonl.gz');
    await writeFile(mine, 'not a backup of this export\n');
    const day = '2026-03-01'; // the harness's clock
    await writeFile(join(dir, `chroma-backup-${day}.jsonl.gz`), 'an older backup\n');
    const services = testServices({
      dir,
      env: { CHROMA_API_KEY: API_KEY, CHROMA_TENANT: 'default_tenant', CHROMA_DATABASE: 'default_database', CHROMA_CLOUD_HOST: cloud.url },
    });
    app = mountWizard(services);
    await waitForFrame(app, 'Begin');
    await press(app, KEY.enter);
    await waitForFrame(app, 'Where is your data?');
    await press(app, KEY.enter);
    await waitForFrame(app, 'Collections to export', 20_000);
    await press(app, KEY.enter);
    const question = await waitForFrame(app, 'Write the backup to');
    expect(question).toContain(`Enter for chroma-backup-${day}-2.jsonl.gz`);
    await typeLine(app, 'mine.jsonl.gz');
    const again = await waitForFrame(app, 'is there already', 30_000);
    expect(again).toContain('Write the backup to');
    expect(again).toContain('Type another name');
    expect(await readFile(mine, 'utf8')).toBe('not a backup of this export\n');
  }, 60_000);
});
