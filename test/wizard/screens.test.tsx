/**
 * Every screen of the wizard and its important states, as the user sees them at 80 columns.
 * The clock and the deploy token are pinned; everything else is real: backups on disk, real
 * Chroma servers (behind a fault proxy where a slow import is needed), a temp .env and state.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { importBackup } from '../../src/core/operations/import.js';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { exposure } from '../../src/core/chroma/probe.js';
import { wizardStateFrom } from '../../src/wizard/machine.js';
import { emptyState } from '../../src/core/state/store.js';
import { startTestServer } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';
import { KEY, press, select, tick, typeLine, waitForFrame, waitUntil } from '../helpers/ink.js';
import { manualClock, mountWizard, stable, standingOn, tempDir, testServices, type Mounted } from './harness.js';

const TOTAL = 1177;
const COLLECTION = 'cro_audit_issues';

let dir = '';
let backup = '';
let chroma: Awaited<ReturnType<typeof startTestServer>>;
let mounted: Mounted | undefined;

beforeAll(async () => {
  dir = await tempDir();
  backup = join(dir, 'backup.json');
  await writePythonRowsJson(backup, COLLECTION, makeRecords(TOTAL, { dim: 8 }), { metadata: { 'hnsw:space': 'cosine' } });
  chroma = await startTestServer();
});
afterAll(async () => {
  await chroma?.cleanup();
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});
afterEach(() => {
  mounted?.stop();
  mounted = undefined;
});

/** Mounts, waits for the first frame, and remembers the app so afterEach unmounts it. */
async function mount(...args: Parameters<typeof mountWizard>): Promise<Mounted> {
  mounted = mountWizard(...args);
  await tick();
  return mounted;
}

const frame = (app: Mounted) => stable(app.lastFrame(), [dir]);

describe('the welcome screen', () => {
  it('offers Begin on a fresh folder', async () => {
    const app = await mount(testServices({ dir }));
    expect(await waitForFrame(app, 'Begin')).toContain('This wizard moves your Chroma Cloud collections');
    expect(frame(app)).toMatchSnapshot();
  });

  it('offers to resume at the import with its checkpoint when a saved state has an unfinished import', async () => {
    const saved = emptyState(new Date(0));
    saved.backupPath = backup;
    saved.targetUrl = 'https://chroma-prod.up.railway.app:443';
    saved.steps = {
      export: { status: 'done', detail: '1,177 records in backup.json' },
      deploy: { status: 'skipped', detail: 'already deployed' },
      connect: { status: 'done', detail: 'https://chroma-prod.up.railway.app:443' },
      env: { status: 'done', detail: 'backup .env.2026-03-01.bak' },
      import: { status: 'active' },
    };
    saved.imports = [
      {
        backup,
        fingerprint: '1:2:abc',
        target: 'https://chroma-prod.up.railway.app:443/default_tenant/default_database',
        collection: COLLECTION,
        sourceCollection: COLLECTION,
        batchSize: 100,
        committed: 600,
        total: TOTAL,
        done: false,
        updatedAt: new Date(0).toISOString(),
      },
    ];
    const app = await mount(testServices({ dir }), wizardStateFrom(saved));
    const shown = await waitForFrame(app, 'Resume at step');
    expect(shown).toContain('Resume at step 5: Import the backup (import 600 of 1,177)');
    expect(shown).toContain('Start over (the old state is kept as a backup)');
    expect(frame(app)).toMatchSnapshot();
  });
});

describe('step 1: export', () => {
  it('asks where the data is (with a Cloud key in .env, masked)', async () => {
    const app = await mount(testServices({ dir, env: { CHROMA_API_KEY: 'ck-2f1e9a7c5b3d4e6f8a0b' } }), standingOn('export'));
    expect(await waitForFrame(app, 'Where is your data?')).toContain('I already have a backup file');
    expect(frame(app)).not.toContain('ck-2f1e9a7c5b3d4e6f8a0b');
    expect(frame(app)).toMatchSnapshot();
  });

  it('asks for the backup path, then summarises the file', async () => {
    const app = await mount(testServices({ dir, env: {} }), standingOn('export'));
    await waitForFrame(app, 'Where is your data?');
    await select(app, 'I already have a backup file');
    await waitForFrame(app, 'Path of the backup file');
    expect(frame(app)).toMatchSnapshot('backup path prompt');
    await typeLine(app, backup);
    const summary = await waitForFrame(app, 'Continue to step 2');
    expect(summary).toContain('1,177 records');
    expect(frame(app)).toMatchSnapshot('backup summary');
  });

  it('warns at the summary when records lack an embedding, which the import will refuse', async () => {
    const partial = join(dir, 'partial-vectors.json');
    await writePythonRowsJson(partial, 'half_vectors', makeRecords(30, { dim: 8, nullEmbeddingEvery: 3 }), { metadata: { 'hnsw:space': 'l2' } });
    const app = await mount(testServices({ dir, env: {} }), standingOn('export'));
    await waitForFrame(app, 'Where is your data?');
    await select(app, 'I already have a backup file');
    await waitForFrame(app, 'Path of the backup file');
    await typeLine(app, partial);
    const summary = await waitForFrame(app, 'Continue to step 2');
    expect(summary).toContain('! 10 without an embedding: the import will refuse this collection');
  });

  it('explains a path that is not there and asks again', async () => {
    const app = await mount(testServices({ dir, env: {} }), standingOn('export'));
    await waitForFrame(app, 'Where is your data?');
    await select(app, 'I already have a backup file');
    await waitForFrame(app, 'Path of the backup file');
    await typeLine(app, join(dir, 'nope.json'));
    await waitForFrame(app, '✗');
    expect(frame(app)).toMatchSnapshot();
  });
});

describe('step 2: deploy', () => {
  it('asks where the server will run, then shows the guide with the (pinned) token', async () => {
    const app = await mount(testServices({ dir, env: {} }), standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    expect(frame(app)).toMatchSnapshot('deploy choice');
    await select(app, 'Railway');
    const guide = await waitForFrame(app, 'Token for the proxy');
    expect(guide).toContain('TEST-TOKEN-0123456789abcdefghijklmnopqrstu');
    expect(frame(app)).toMatchSnapshot('railway guide');
  });
});

describe('step 3: connection test', () => {
  it('asks for the server URL', async () => {
    const app = await mount(testServices({ dir, env: {} }), standingOn('connect', { deploy: 'skipped' }, { deploy: 'already deployed' }));
    await waitForFrame(app, 'Server URL');
    expect(frame(app)).toMatchSnapshot();
  });

  it('stops at the first failed check against a port nobody listens on, and offers a way out', async () => {
    const port = await freePort();
    const app = await mount(testServices({ dir, env: {} }), standingOn('connect'));
    await waitForFrame(app, 'Server URL');
    await typeLine(app, `http://127.0.0.1:${port}`);
    await waitForFrame(app, 'hidden; Enter for none');
    expect(frame(app)).toMatchSnapshot('token prompt');
    await typeLine(app, '');
    const finished = await waitForFrame(app, 'Edit the URL or token');
    expect(finished).toContain('Nothing accepts connections at 127.0.0.1');
    expect(frame(app)).toMatchSnapshot('checks finished with a failure');
  });

  it('passes every check against a real server', async () => {
    const app = await mount(testServices({ dir, env: {} }), standingOn('connect'));
    await waitForFrame(app, 'Server URL');
    await typeLine(app, chroma.server.url);
    await waitForFrame(app, 'hidden; Enter for none');
    await typeLine(app, '');
    await waitForFrame(app, 'Continue to step 4');
    // The version line names the server's build: keep the frame stable across Chroma releases.
    expect(frame(app).replace(/Chroma \d+\.\d+\.\d+\S*/, 'Chroma <version>')).toMatchSnapshot();
  });
});

describe('step 4: .env', () => {
  it('shows the change to an existing .env and asks before writing', async () => {
    const envDir = join(dir, 'env-confirm');
    await rm(envDir, { recursive: true, force: true });
    await mkdir(envDir);
    await writeFile(join(envDir, '.env'), '# the app\nOPENAI_API_KEY=sk-test\nCHROMA_API_KEY=ck-cloud-key\nCHROMA_TENANT=acme\nCHROMA_DATABASE=prod\n');
    const services = testServices({ dir: envDir });
    const app = await mount(services, standingOn('env'), { target: endpoint({ url: 'https://chroma-prod.up.railway.app:443', token: 'TEST-TOKEN-0123456789abcdefghijklmnopqrstu' }) });
    await waitForFrame(app, 'Write it');
    const shown = stable(app.lastFrame(), [envDir]);
    expect(shown).toContain('CHROMA_HOST');
    expect(shown).toMatchSnapshot();
  });
});

describe('step 5: import', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(chroma.server.url);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('shows live progress while the import runs (slow server, controlled clock)', async () => {
    // One batch in flight at a time, so "stall after 300" is exact; the clock moves one second
    // per committed batch, so the rate and ETA are the same on every run.
    const clock = manualClock();
    const slowBackup = join(dir, 'progress.json');
    await writePythonRowsJson(slowBackup, 'progress_demo', makeRecords(TOTAL, { dim: 8, seed: 2 }), { metadata: { 'hnsw:space': 'l2' } });
    proxy.setRules({ delayMs: 50, faultPaths: /\/upsert$/ });
    const services = testServices({
      dir,
      env: {},
      clock,
      overrides: {
        importBackup: (options) =>
          importBackup({
            ...options,
            batchSize: 100,
            concurrency: 1,
            onProgress: (event) => {
              if (event.type === 'batch') {
                clock.advance(1_000);
                // Every later upsert waits at the proxy until the test ends.
                if (event.done >= 300) proxy.setRules({ delayMs: 600_000, faultPaths: /\/upsert$/ });
              }
              options.onProgress?.(event);
            },
          }),
      },
    });
    const app = await mount(services, standingOn('import'), { backupPath: slowBackup, target: endpoint({ url: proxy.url }) });
    const running = await waitForFrame(app, '300 of 1,177 ·');
    expect(running).toContain('Importing into');
    await tick(200); // nothing else may move while the fifth batch waits at the proxy
    expect(frame(app)).toBe(stable(running, [dir]));
    expect(frame(app)).toMatchSnapshot();
    app.stop();
    proxy.setRules({});
  });

  it('asks what to do when the collection already exists on the server with records', async () => {
    const existsBackup = join(dir, 'exists.json');
    const records = makeRecords(40, { dim: 8, seed: 3 });
    await writePythonRowsJson(existsBackup, 'exists_demo', records, { metadata: { 'hnsw:space': 'l2' } });
    // Someone's data already lives there: 25 records under the same name.
    const target = endpoint({ url: chroma.server.url });
    const api = new ChromaApi(target);
    const created = await api.createCollection({ name: 'exists_demo', metadata: null, space: null });
    await api.upsert(created.id, records.slice(0, 25), { base64: false });

    const app = await mount(testServices({ dir, env: {} }), standingOn('import'), { backupPath: existsBackup, target });
    const prompt = await waitForFrame(app, 'already exists');
    // Enter alone appends: the choice that deletes is last and never preselected.
    expect(prompt).toMatch(/❯ Append/);
    expect(prompt).toContain('Cancel');
    expect(prompt).toContain('Delete it (25 records) and recreate it');
    expect(frame(app)).toMatchSnapshot('exists prompt');
    await press(app, KEY.enter);
    await waitForFrame(app, 'Continue to step 6');
    // The same collection (not deleted and made anew), now holding the backup's 40.
    expect((await api.findCollection('exists_demo'))?.id).toBe(created.id);
    expect(await api.count(created.id)).toBe(40);
    app.stop();

    // A state of its own: the one above holds the finished append, which a re-run would just confirm.
    const again = await mount(testServices({ dir, env: {}, overrides: { statePath: join(dir, 'state-cancel.json') } }), standingOn('import'), { backupPath: existsBackup, target });
    await waitForFrame(again, 'already exists');
    await select(again, 'Cancel: change nothing');
    // A choice, not a failure: no error box, no command-line advice.
    const failed = await waitForFrame(again, 'was left as it is');
    expect(failed).toContain('Choose again');
    expect(failed).not.toContain('--if-exists');
    expect(frame(again)).toMatchSnapshot('cancelled');
    expect(await api.count(created.id)).toBe(40);
  });

  it('fails with the reason and the fix when the server refuses the request', async () => {
    const guarded = await startFaultProxy(chroma.server.url, { token: { value: 'right-token', header: 'authorization' } });
    try {
      const app = await mount(testServices({ dir, env: {} }), standingOn('import'), { backupPath: backup, target: endpoint({ url: guarded.url }) });
      const failed = await waitForFrame(app, 'Back to the connection test');
      expect(failed).toContain('401');
      expect(frame(app)).toMatchSnapshot();
    } finally {
      mounted?.stop();
      mounted = undefined;
      await guarded.close();
    }
  });

  it('reports the finished import and offers to verify', async () => {
    const app = await mount(testServices({ dir, env: {} }), standingOn('import'), { backupPath: backup, target: endpoint({ url: chroma.server.url }) });
    const finished = await waitForFrame(app, 'Continue to step 6', 40_000);
    expect(finished).toContain('cro_audit_issues: 1,177 of 1,177 records (created)');
    expect(frame(app)).toMatchSnapshot();
  });
});

describe('step 6: verify', () => {
  it('shows the table with every record equal (after the import above)', async () => {
    const app = await mount(testServices({ dir, env: {} }), standingOn('verify'), { backupPath: backup, target: endpoint({ url: chroma.server.url }) });
    const table = await waitForFrame(app, 'Continue to step 7', 40_000);
    expect(table).toContain('✓ cro_audit_issues: 1,177 from the backup, all equal');
    expect(frame(app)).toMatchSnapshot();
  });

  it('shows what is missing and offers to re-import it', async () => {
    const partial = join(dir, 'partial.json');
    const full = join(dir, 'full.json');
    await writePythonRowsJson(partial, 'partial_demo', makeRecords(1100, { dim: 8, seed: 4 }), { metadata: { 'hnsw:space': 'l2' } });
    await writePythonRowsJson(full, 'partial_demo', makeRecords(TOTAL, { dim: 8, seed: 4 }), { metadata: { 'hnsw:space': 'l2' } });
    const target = endpoint({ url: chroma.server.url });
    await importBackup({ input: partial, target, ifExists: 'abort', statePath: join(dir, 'partial-state.json') });

    const app = await mount(testServices({ dir, env: {} }), standingOn('verify'), { backupPath: full, target });
    const table = await waitForFrame(app, 'Re-import the missing records', 40_000);
    expect(table).toContain('77 missing');
    expect(frame(app)).toMatchSnapshot();

    // Re-sending the backup (upsert by id) fills the gap; the second table is all green.
    await select(app, 'Re-import the missing records');
    const repaired = await waitForFrame(app, 'Continue to step 7', 40_000);
    expect(repaired).toContain('✓ partial_demo: 1,177 from the backup, all equal');
  });
});

describe('step 7 and the end', () => {
  it('offers to run the ingestion or skip it', async () => {
    const app = await mount(testServices({ dir, env: {} }), standingOn('ingest'), { backupPath: backup, target: endpoint({ url: 'https://chroma-prod.up.railway.app:443' }) });
    await waitForFrame(app, 'Skip');
    expect(frame(app)).toMatchSnapshot();
  });

  it('says what to do next when every step is done', async () => {
    const state = { ...standingOn('ingest', {}, { export: '1,177 records in backup.json', import: '1,177 records', verify: '1,177 records equal' }), screen: 'done' as const };
    state.steps.ingest = 'skipped';
    state.details.ingest = 'skipped';
    const app = await mount(testServices({ dir, env: {} }), state, { backupPath: backup });
    await waitForFrame(app, 'Exit');
    expect(frame(app)).toMatchSnapshot();
    await select(app, 'Exit');
    await waitUntil(() => app.exits.length > 0, 5_000, 'onExit');
    expect(app.exits).toEqual([0]);
  });

  it('warns at Done when the server answers without a token from the internet', async () => {
    const state = { ...standingOn('ingest'), screen: 'done' as const };
    state.steps.ingest = 'done';
    // Our test server is on loopback; judge it as a public host would be judged.
    const services = { ...testServices({ dir, env: {} }), exposure: (target: Parameters<typeof exposure>[0]) => exposure(target, { treatAsPublic: true }) };
    const app = await mount(services, state, { backupPath: backup, target: endpoint({ url: chroma.server.url }) });
    const shown = await waitForFrame(app, 'Anyone can read and delete');
    expect(shown).toContain('token-checking proxy');
  });

  it('does not claim every record was checked when the verify mismatch was accepted', async () => {
    const state = { ...standingOn('ingest', { verify: 'skipped' }, { verify: 'mismatch accepted' }), screen: 'done' as const };
    state.steps.ingest = 'skipped';
    const app = await mount(testServices({ dir, env: {} }), state, { backupPath: backup });
    const shown = await waitForFrame(app, 'Exit');
    expect(shown).not.toContain('every record was checked');
  });
});
