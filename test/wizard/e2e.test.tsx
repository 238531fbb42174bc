/**
 * The whole wizard, driven by keys like a user would, from the welcome screen to Done: the real
 * App over the real engine, a backup file on disk, a real Chroma server, a real .env and state
 * file. Only the clock and the deploy token are pinned.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { STEP_IDS } from '../../src/core/state/steps.js';
import { loadState } from '../../src/core/state/store.js';
import { useChromaServer } from '../helpers/chroma.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';
import { KEY, press, select, typeLine, waitForFrame, waitUntil } from '../helpers/ink.js';
import { mountWizard, stable, tempDir, testServices, type Mounted } from './harness.js';

const chroma = useChromaServer();
const ENV_BEFORE = '# my app\nOPENAI_API_KEY=sk-test\n\n# Chroma Cloud (kept for rollback)\nCHROMA_API_KEY=ck-cloud-key-0000\nCHROMA_TENANT=acme\nCHROMA_DATABASE=prod\n';

let dir = '';
let backup = '';
let app: Mounted | undefined;

beforeAll(async () => {
  dir = await tempDir();
  backup = join(dir, 'cro_audit_issues.json');
  // The guide's row-wise export, with the None documents and metadatas real exports carry.
  await writePythonRowsJson(backup, 'cro_audit_issues', makeRecords(1177, { dim: 12, nullDocEvery: 13, nullMetaEvery: 17 }), {
    metadata: { 'hnsw:space': 'cosine' },
  });
  await writeFile(join(dir, '.env'), ENV_BEFORE);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});
afterEach(() => {
  app?.stop();
  app = undefined;
});

describe('the wizard from start to Done with a backup file as the source', () => {
  it('imports 1,177 records into a real server, writes .env, verifies, and records every step', async () => {
    const services = testServices({ dir, logToFile: true });
    app = mountWizard(services);

    // Welcome → Begin
    await waitForFrame(app, 'Begin');
    await press(app, KEY.enter);

    // Step 1: the key from .env is offered first; choose the backup file instead.
    await waitForFrame(app, 'Where is your data?');
    expect(app.lastFrame()).toContain('Export from Chroma Cloud with the key in .env');
    await select(app, 'I already have a backup file');
    await waitForFrame(app, 'Path of the backup file');
    await typeLine(app, backup);
    const summary = await waitForFrame(app, 'Continue to step 2');
    expect(summary).toContain('cro_audit_issues: 1,177 records, 12-d, cosine');
    await press(app, KEY.enter);

    // Step 2: already deployed.
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'It is already deployed');

    // Step 3: the test server, no token.
    await waitForFrame(app, 'Server URL');
    expect(app.lastFrame()).toContain('– 2. Deploy a self-hosted Chroma (already deployed)');
    await typeLine(app, chroma.url);
    await waitForFrame(app, 'hidden; Enter for none');
    await typeLine(app, '');
    const checks = await waitForFrame(app, 'Continue to step 4');
    expect(checks).not.toContain('✗');
    await press(app, KEY.enter);

    // Step 4: confirm the .env change.
    const diff = await waitForFrame(app, 'Write it (the old file is kept as a backup)?');
    expect(diff).toContain('+ CHROMA_HOST=localhost');
    await press(app, 'y');

    // Step 5: the import runs by itself.
    const imported = await waitForFrame(app, 'Continue to step 6', 60_000);
    expect(imported).toContain('✓ cro_audit_issues: 1,177 of 1,177 records (created)');
    await press(app, KEY.enter);

    // Step 6: the verify table.
    const table = await waitForFrame(app, 'Continue to step 7', 60_000);
    expect(table).toContain('✓ cro_audit_issues: 1,177 from the backup, all equal');
    expect(table).toMatch(/index recall 1\.00 at k=10/);
    await press(app, KEY.enter);

    // Step 7: skip the ingestion.
    await waitForFrame(app, 'Step 7');
    await select(app, 'Skip');

    // Done.
    const done = await waitForFrame(app, 'Done: your data lives on your own Chroma server');
    // The .env backup is named by the wall clock (core/env-file/backups.ts), not services.now.
    expect(stable(done, [dir]).replace(/\.env\.backup-[\dT-]+Z/, '.env.backup-<time>')).toMatchSnapshot('done after a full run');
    await select(app, 'Exit');
    await waitUntil(() => app!.exits.length > 0, 5_000, 'onExit');
    expect(app.exits).toEqual([0]);

    // The state file: every step settled, nothing secret in it.
    await waitUntil(async () => {
      const saved = await loadState(services.statePath);
      return STEP_IDS.every((id) => saved.steps[id]?.status === 'done' || saved.steps[id]?.status === 'skipped');
    }, 10_000, 'every step to be saved as done or skipped');
    const saved = await loadState(services.statePath);
    expect(Object.fromEntries(STEP_IDS.map((id) => [id, saved.steps[id]?.status]))).toEqual({
      export: 'done',
      deploy: 'skipped',
      connect: 'done',
      env: 'done',
      import: 'done',
      verify: 'done',
      ingest: 'skipped',
    });
    expect(saved.backupPath).toBe(backup);
    expect(saved.targetUrl).toBe(chroma.url);
    expect(saved.imports).toEqual([expect.objectContaining({ collection: 'cro_audit_issues', committed: 1177, total: 1177, done: true })]);
    expect(await readFile(services.statePath, 'utf8')).not.toContain('ck-cloud-key-0000');

    // .env: the self-hosted keys added, everything else kept as it was.
    const envText = await readFile(join(dir, '.env'), 'utf8');
    const port = new URL(chroma.url).port;
    expect(parseDotenv(envText)).toEqual({
      OPENAI_API_KEY: 'sk-test',
      CHROMA_API_KEY: 'ck-cloud-key-0000',
      CHROMA_TENANT: 'acme',
      CHROMA_DATABASE: 'prod',
      CHROMA_HOST: 'localhost',
      CHROMA_PORT: port,
      CHROMA_SSL: 'false',
    });
    expect(envText.startsWith(ENV_BEFORE.trimEnd())).toBe(true);

    // The server holds every record.
    const api = new ChromaApi(endpoint({ url: chroma.url }));
    const collection = await api.findCollection('cro_audit_issues');
    expect(collection).not.toBeNull();
    expect(await api.count(collection!.id)).toBe(1177);

    // The run's log: every step's results and decisions, in plain text, no token.
    await waitUntil(async () => (await readFile(services.logPath, 'utf8').catch(() => '')).includes('✓ 6. Verify'), 5_000, 'the log');
    const log = await readFile(services.logPath, 'utf8');
    for (const line of ['export: ', 'cro_audit_issues, 1,177 records', '✓ 1. Export', '– 2. Deploy', 'connect: pass', '✓ 4. Update .env', 'import: cro_audit_issues: 1,177 of 1,177', 'verify: ✓ cro_audit_issues', '– 7. Complete ingestion skipped']) {
      expect(log).toContain(line);
    }
    expect(log).not.toContain('ck-cloud-key-0000');
  }, 120_000);
});
