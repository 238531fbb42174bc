/**
 * Step 1 against a tenant with several databases: the wizard lists them with what they hold (all
 * ticked), exports the chosen ones as `export --all-databases` does (one format-4 file), step 5
 * imports it into a second server (each database made there, as `import` does), and step 6
 * verifies every database's collections.
 * "Cloud" is a real Chroma behind the test proxy enforcing Cloud's quotas and key header.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { ensureDatabase, listDatabases } from '../../src/core/chroma/databases.js';
import { inspectBackup } from '../../src/core/backup/read.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useTwoServers } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords } from '../helpers/fixtures.js';
import { KEY, press, typeLine, waitForFrame } from '../helpers/ink.js';
import { mountWizard, standingOn, tempDir, testServices } from './harness.js';

const API_KEY = 'ck-5a4b3c2d1e0f9a8b7c6d5e4f';
/** database → collection → records */
const LAYOUT: Record<string, Record<string, number>> = {
  customer_b: { b_docs: 12 },
  default_database: { main_docs: 30, main_faq: 8 },
  staging: { stage_docs: 20 },
};

let dir = '';
const { source, target } = useTwoServers();
let cloud: FaultProxy;

beforeAll(async () => {
  dir = await tempDir();
  for (const [database, collections] of Object.entries(LAYOUT)) {
    const at = endpoint({ url: source.server.url, database });
    await ensureDatabase(at, database);
    const api = new ChromaApi(at);
    for (const [name, size] of Object.entries(collections)) {
      const info = await api.createCollection({ name, metadata: null, space: 'cosine' });
      await api.upsert(info.id, makeRecords(size, { dim: 4, prefix: name }), { base64: false });
    }
  }
  cloud = await startFaultProxy(source.server.url, { cloudQuota: true, token: { value: API_KEY, header: 'x-chroma-token' } });
});
afterAll(async () => {
  await cloud?.close();
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

describe('step 1 with several databases', () => {
  it('asks which, exports the chosen ones into one file, and steps 5 and 6 import and verify each database', async () => {
    const services = testServices({
      dir,
      env: { CHROMA_API_KEY: API_KEY, CHROMA_TENANT: 'default_tenant', CHROMA_DATABASE: 'default_database', CHROMA_CLOUD_HOST: cloud.url },
    });
    const app = mountWizard(services);
    const backup = join(dir, 'multi.jsonl.gz');
    try {
      await waitForFrame(app, 'Begin');
      await press(app, KEY.enter);
      await waitForFrame(app, 'Where is your data?');
      await press(app, KEY.enter);

      const asked = await waitForFrame(app, 'This tenant has 3 databases', 30_000);
      expect(asked).toContain('customer_b · 1 collection · 12 records');
      expect(asked).toContain('default_database · 2 collections · 38 records');
      expect(asked).toContain('staging · 1 collection · 20 records');
      expect(asked.match(/◉/g)?.length).toBe(3);
      // Leave customer_b out: the focus starts on it.
      await press(app, ' ');
      expect(await waitForFrame(app, '◯ customer_b')).toContain('◉ staging');
      await press(app, KEY.enter);

      await waitForFrame(app, 'Write the backup to');
      await typeLine(app, 'multi.jsonl.gz');
      const summary = await waitForFrame(app, 'Continue to step 2', 60_000);
      expect(summary).toContain('2 databases exported · 58 records');
      expect(summary).toContain('default_database · 2 collections · 38 records');
      expect(summary).toContain('staging · 1 collection · 20 records');
      expect(summary).not.toContain('customer_b');
    } finally {
      app.stop();
    }
    // One file, its collections naming their database; no per-database files or parts left.
    const inside = await inspectBackup(backup);
    expect(inside.collections.map((header) => `${header.database}/${header.name}`).sort()).toEqual(['default_database/main_docs', 'default_database/main_faq', 'staging/stage_docs']);
    expect((await readdir(dir)).filter((name) => name.startsWith('multi'))).toEqual(['multi.jsonl.gz']);

    const into = endpoint({ url: target.server.url });
    const resumed = mountWizard(testServices({ dir, env: {} }), standingOn('import'), { backupPath: backup, target: into });
    try {
      const finished = await waitForFrame(resumed, 'Continue to step 6', 60_000);
      expect(finished).toContain('default_database/main_docs: 30 of 30 records');
      expect(finished).toContain('default_database/main_faq: 8 of 8 records');
      expect(finished).toContain('staging/stage_docs: 20 of 20 records');
      await press(resumed, KEY.enter);
      const verified = await waitForFrame(resumed, 'Continue to step 7', 60_000);
      expect(verified).toContain('✓ default_database/main_docs: 30 from the backup, all equal');
      expect(verified).toContain('✓ default_database/main_faq: 8 from the backup, all equal');
      expect(verified).toContain('✓ staging/stage_docs: 20 from the backup, all equal');
    } finally {
      resumed.stop();
    }
    // The chosen databases were made on the target, each holding its own collections; the unticked one is absent.
    expect((await listDatabases(into)).map((database) => database.name).sort()).toEqual(['default_database', 'staging']);
    const staging = new ChromaApi(endpoint({ url: target.server.url, database: 'staging' }));
    expect(await staging.count((await staging.findCollection('stage_docs'))!.id)).toBe(20);
    expect(await new ChromaApi(into).findCollection('stage_docs')).toBeNull();
    expect(await new ChromaApi(into).findCollection('b_docs')).toBeNull();
  });
});
