/**
 * Ctrl-C in the middle of the wizard's import, then the wizard again from the saved state:
 * the welcome screen offers to resume at step 5, the import continues from its checkpoint
 * (sending only what was not committed), and the flow ends at Done with every record verified.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { importBackup, type ImportOptions } from '../../src/core/operations/import.js';
import { STEP_IDS } from '../../src/core/state/steps.js';
import { emptyState, loadState, saveState } from '../../src/core/state/store.js';
import { resumableLines } from '../../src/present/resume-command.js';
import { startTestServer } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonMultiJson, writePythonRowsJson } from '../helpers/fixtures.js';
import { KEY, press, select, typeLine, waitForFrame, waitUntil } from '../helpers/ink.js';
import { mountFromSavedState, mountWizard, standingOn, tempDir, testServices, type Mounted } from './harness.js';

const TOTAL = 1177;
// Smaller than the engine's default (1,000), so the Ctrl-C lands between committed batches.
const BATCH = 100;
const smallBatches = { importBackup: (options: ImportOptions) => importBackup({ ...options, batchSize: BATCH }) };

let dir = '';
let backup = '';
let chroma: Awaited<ReturnType<typeof startTestServer>>;
let slow: FaultProxy;
let app: Mounted | undefined;

beforeAll(async () => {
  dir = await tempDir();
  backup = join(dir, 'backup.json');
  await writePythonRowsJson(backup, 'cro_audit_issues', makeRecords(TOTAL, { dim: 8 }), { metadata: { 'hnsw:space': 'l2' } });
  await writeFile(join(dir, '.env'), 'CHROMA_API_KEY=ck-cloud-key-0000\nCHROMA_TENANT=acme\nCHROMA_DATABASE=prod\n');
  chroma = await startTestServer();
  slow = await startFaultProxy(chroma.server.url);
});
afterAll(async () => {
  await slow?.close();
  await chroma?.cleanup();
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});
afterEach(() => {
  app?.stop();
  app = undefined;
});

const upserts = () => slow.log.filter((entry) => entry.method === 'POST' && entry.path.endsWith('/upsert')).length;

describe('Ctrl-C during the import, then the wizard again', () => {
  it('saves the checkpoint, exits 130, offers "Resume at step 5", continues from it and ends at Done', async () => {
    // --- First run: up to the import, which is slow (every upsert waits at the proxy).
    slow.setRules({ delayMs: 400, faultPaths: /\/upsert$/ });
    const first = testServices({ dir, overrides: smallBatches });
    app = mountWizard(first);
    await waitForFrame(app, 'Begin');
    await press(app, KEY.enter);
    await waitForFrame(app, 'Where is your data?');
    await select(app, 'I already have a backup file'); // the backup file (the .env key is offered first)
    await waitForFrame(app, 'Path of the backup file');
    await typeLine(app, backup);
    await waitForFrame(app, 'Continue to step 2');
    await press(app, KEY.enter);
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'It is already deployed');
    await waitForFrame(app, 'Server URL');
    await typeLine(app, slow.url);
    await waitForFrame(app, 'hidden; Enter for none');
    await typeLine(app, '');
    await waitForFrame(app, 'Continue to step 4');
    await press(app, KEY.enter);
    await waitForFrame(app, 'Write it');
    await press(app, 'y');

    // At least one batch committed (the checklist counts them), then Ctrl-C.
    await waitForFrame(app, /Import the backup \(import [1-9][\d,]* of 1,177\)/, 30_000);
    await press(app, KEY.ctrlC);
    // One line while it stops; main.ts says "Saved. Run chroma-migrate again…" once it has.
    expect(await waitForFrame(app, 'Stopping at a safe point…', 2_000)).not.toContain('Saved');
    await waitUntil(() => app!.exits.length > 0, 10_000, 'onExit after Ctrl-C');
    expect(app.exits).toEqual([130]);
    app = undefined; // Ink has unmounted itself (useApp().exit)

    const saved = await loadState(first.statePath);
    const checkpoint = saved.imports[0];
    expect(checkpoint).toMatchObject({ collection: 'cro_audit_issues', total: TOTAL, done: false });
    const committed = checkpoint!.committed;
    expect(committed).toBeGreaterThanOrEqual(BATCH);
    expect(committed).toBeLessThan(TOTAL);
    expect(committed % BATCH).toBe(0);
    expect(saved.steps.env?.status).toBe('done');
    expect(saved.steps.import?.status).not.toBe('done');

    // --- Second run: a new process would read .env again (it now points at the server).
    slow.setRules({ delayMs: 20, faultPaths: /\/upsert$/ });
    slow.resetStats();
    const second = testServices({ dir, overrides: smallBatches });
    expect(second.env.CHROMA_HOST).toBe('127.0.0.1');
    app = await mountFromSavedState(second);
    const welcome = await waitForFrame(app, 'Resume at step');
    expect(welcome).toContain(`Resume at step 5: Import the backup (import ${committed.toLocaleString('en-US')} of ${TOTAL.toLocaleString('en-US')})`);
    await press(app, KEY.enter);

    const imported = await waitForFrame(app, 'Continue to step 6', 60_000);
    expect(imported).toContain(`✓ cro_audit_issues: 1,177 of 1,177 records (resumed from ${committed.toLocaleString('en-US')})`);
    // Only what was not committed was sent again.
    expect(upserts()).toBe(Math.ceil((TOTAL - committed) / BATCH));
    await press(app, KEY.enter);

    const table = await waitForFrame(app, 'Continue to step 7', 60_000);
    expect(table).toContain('✓ cro_audit_issues: 1,177 from the backup, all equal');
    await press(app, KEY.enter);
    await waitForFrame(app, 'Step 7');
    await select(app, 'Skip');
    await waitForFrame(app, 'Done: your data lives on your own Chroma server');
    await select(app, 'Exit');
    await waitUntil(() => app!.exits.length > 0, 5_000, 'onExit at Done');
    expect(app.exits).toEqual([0]);

    await waitUntil(async () => {
      const state = await loadState(second.statePath);
      return STEP_IDS.every((id) => state.steps[id]?.status === 'done' || state.steps[id]?.status === 'skipped');
    }, 10_000, 'every step to be saved as done or skipped');
    const finalState = await loadState(second.statePath);
    expect(finalState.imports).toEqual([expect.objectContaining({ committed: TOTAL, done: true })]);

    const api = new ChromaApi(endpoint({ url: chroma.server.url }));
    const collection = await api.findCollection('cro_audit_issues');
    expect(await api.count(collection!.id)).toBe(TOTAL);
  }, 120_000);
});

describe('resuming when step 4 was declined', () => {
  it('imports into the server tested in step 3, not localhost:8000', async () => {
    const own = join(dir, 'declined');
    await mkdir(own, { recursive: true });
    const services = testServices({ dir: own, env: {} });
    const saved = emptyState();
    saved.backupPath = backup;
    saved.targetUrl = chroma.server.url;
    saved.steps = {
      export: { status: 'done' },
      deploy: { status: 'skipped' },
      connect: { status: 'done', detail: chroma.server.url },
      env: { status: 'skipped', detail: 'not written' },
    };
    await saveState(services.statePath, saved);
    app = await mountFromSavedState(services);
    await waitForFrame(app, 'Resume at step 5');
    await press(app, KEY.enter);
    const importing = await waitForFrame(app, 'Step 5 ·');
    expect(importing).toContain(`Step 5 · Importing into ${chroma.server.url}`);
  });
});

describe('Ctrl-C during an import of several collections, then the wizard again', () => {
  const SIZES = { alpha: 600, beta: 500, gamma: 400 };
  const ALL = '1,500';

  it('counts the whole import on the welcome screen and in the checklist, and every bar moves from where it resumed', async () => {
    const own = join(dir, 'several');
    await mkdir(own, { recursive: true });
    const input = join(own, 'backup.json');
    await writePythonMultiJson(input, Object.entries(SIZES).map(([name, size]) => ({ name, metadata: { 'hnsw:space': 'l2' }, records: makeRecords(size, { dim: 8, seed: size }) })));
    const session = { backupPath: input, target: endpoint({ url: slow.url }) };

    // --- First run: every collection commits a batch or two, then Ctrl-C.
    slow.setRules({ delayMs: 400, faultPaths: /\/upsert$/ });
    const first = testServices({ dir: own, env: {}, overrides: smallBatches });
    app = mountWizard(first, standingOn('import'), session);
    await waitUntil(async () => {
      const { imports } = await loadState(first.statePath);
      return imports.length === 3 && imports.every((checkpoint) => checkpoint.committed >= BATCH);
    }, 30_000, 'a batch of every collection committed');
    await press(app, KEY.ctrlC);
    await waitUntil(() => app!.exits.length > 0, 10_000, 'onExit after Ctrl-C');
    app = undefined;
    const saved = await loadState(first.statePath);
    const resumedFrom = new Map(saved.imports.map((checkpoint) => [checkpoint.collection, checkpoint.committed]));
    const committed = [...resumedFrom.values()].reduce((sum, value) => sum + value, 0);
    expect(saved.imports.some((checkpoint) => !checkpoint.done)).toBe(true);
    // `status` names the one command that continues all three, once.
    const commands = resumableLines(saved, own).filter((line) => line.trimStart().startsWith('chroma-migrate '));
    expect(commands).toEqual([`    chroma-migrate import --input ${input} --url ${slow.url}`]);

    // --- Again: the welcome screen counts every collection of the import.
    slow.setRules({ delayMs: 300, faultPaths: /\/upsert$/ });
    const second = testServices({ dir: own, env: {}, overrides: smallBatches });
    app = await mountFromSavedState(second);
    const welcome = await waitForFrame(app, 'Resume at step');
    expect(welcome).toContain(`Resume at step 5: Import the backup (import ${committed.toLocaleString('en-US')} of ${ALL})`);
    await press(app, KEY.enter);

    // The checklist counts the whole import too, and a bar shows its collection's latest count
    // while the import runs (the test's clock stands still).
    const moved = (frame: string) =>
      Object.entries(SIZES).some(([name, size]) => {
        const done = Number(new RegExp(`${name} .* ([\\d,]+) of ${size.toLocaleString('en-US')}`).exec(frame)?.[1]?.replace(/,/g, '') ?? NaN);
        return done > (resumedFrom.get(name) ?? 0) && done < size;
      });
    const running = await waitForFrame(app, (frame) => moved(frame) && new RegExp(`Import the backup \\(import [\\d,]+ of ${ALL}\\)`).test(frame), 30_000);
    expect(running).toContain('of 3 collections');

    const imported = await waitForFrame(app, 'Continue to step 6', 60_000);
    for (const [name, size] of Object.entries(SIZES)) {
      const from = resumedFrom.get(name)!;
      const whole = size.toLocaleString('en-US');
      expect(imported).toContain(from === size ? `✓ ${name}: ${whole} of ${whole} records` : `✓ ${name}: ${whole} of ${whole} records (resumed from ${from.toLocaleString('en-US')})`);
    }
  }, 120_000);
});

describe('Ctrl-C before every collection of the import had started, then the wizard again', () => {
  const SIZES = { one: 500, two: 450, three: 400, four: 350, five: 300, six: 250 };
  const ALL = '2,250';

  it('counts the collections not started yet in the welcome screen\'s total', async () => {
    const own = join(dir, 'not-started');
    await mkdir(own, { recursive: true });
    const input = join(own, 'backup.json');
    await writePythonMultiJson(input, Object.entries(SIZES).map(([name, size]) => ({ name, metadata: { 'hnsw:space': 'l2' }, records: makeRecords(size, { dim: 8, seed: size }) })));
    slow.setRules({ delayMs: 400, faultPaths: /\/upsert$/ });
    const first = testServices({ dir: own, env: {}, overrides: smallBatches });
    app = mountWizard(first, standingOn('import'), { backupPath: input, target: endpoint({ url: slow.url }) });
    await waitUntil(async () => (await loadState(first.statePath)).imports.some((checkpoint) => checkpoint.committed >= BATCH), 30_000, 'a first batch committed');
    await press(app, KEY.ctrlC);
    await waitUntil(() => app!.exits.length > 0, 10_000, 'onExit after Ctrl-C');
    app = undefined;
    const saved = await loadState(first.statePath);
    // Some collections had not started: they have no checkpoint.
    expect(saved.imports.length).toBeLessThan(Object.keys(SIZES).length);
    const committed = saved.imports.reduce((sum, checkpoint) => sum + checkpoint.committed, 0);

    app = await mountFromSavedState(testServices({ dir: own, env: {}, overrides: smallBatches }));
    const welcome = await waitForFrame(app, 'Resume at step');
    expect(welcome).toContain(`Resume at step 5: Import the backup (import ${committed.toLocaleString('en-US')} of ${ALL})`);
  }, 60_000);
});

