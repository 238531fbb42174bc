/**
 * The keys every screen shares: Esc goes back a step, Ctrl-C saves and leaves with 130, the
 * welcome screen's Quit and Start over.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emptyState, loadState, saveState } from '../../src/core/state/store.js';
import { KEY, press, select, waitForFrame, waitUntil } from '../helpers/ink.js';
import { mountFromSavedState, mountWizard, standingOn, tempDir, testServices, type Mounted } from './harness.js';

let dir = '';
let app: Mounted | undefined;

beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  // A state write of the last screen may still land while the folder goes.
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});
afterEach(() => {
  app?.stop();
  app = undefined;
});

describe('keys shared by every screen', () => {
  it('Esc on the connection test goes back to the deploy step, shown as done, not started again', async () => {
    app = mountWizard(testServices({ dir, env: {} }), standingOn('connect', {}, { deploy: 'railway' }));
    await waitForFrame(app, 'Server URL');
    await press(app, KEY.escape);
    const back = await waitForFrame(app, 'Do this step again');
    expect(back).toContain('✓ 2. Deploy a self-hosted Chroma (railway) ← you are here');
    expect(back).toContain('· 3. Test the connection');
    expect(back).toContain('✓ Done: railway');
    await select(app, 'Do this step again');
    const redo = await waitForFrame(app, 'Where will your Chroma server run?');
    expect(redo).toContain('▶ 2. Deploy a self-hosted Chroma (railway) ← you are here');
  });

  it('Esc after the import does not import again: keeping it returns to the step the user left', async () => {
    app = mountWizard(testServices({ dir, env: {} }), standingOn('verify', {}, { import: '1,177 records' }));
    await waitForFrame(app, '6. Verify ← you are here');
    await press(app, KEY.escape);
    const back = await waitForFrame(app, 'Keep it and go on to step 6: Verify');
    expect(back).toContain('✓ 5. Import the backup (1,177 records) ← you are here');
    await select(app, 'Keep it');
    expect(await waitForFrame(app, '6. Verify ← you are here')).toContain('✓ 5. Import the backup (1,177 records)');
  });

  it('Ctrl-C on a prompt saves and leaves with 130 at once', async () => {
    app = mountWizard(testServices({ dir, env: {} }), standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    await press(app, KEY.ctrlC);
    await waitUntil(() => app!.exits.length > 0, 5_000, 'onExit');
    expect(app.exits).toEqual([130]);
    expect(app.controller.signal.aborted).toBe(true);
    app = undefined;
  });

  it('Quit on the welcome screen leaves with 0', async () => {
    app = mountWizard(testServices({ dir, env: {} }));
    await waitForFrame(app, 'Begin');
    await select(app, 'Quit');
    await waitUntil(() => app!.exits.length > 0, 5_000, 'onExit');
    expect(app.exits).toEqual([0]);
    app = undefined;
  });

  it('Start over keeps the old state as a backup and begins at step 1', async () => {
    const own = join(dir, 'start-over');
    await mkdir(own);
    const services = testServices({ dir: own, env: {} });
    const saved = emptyState();
    saved.steps = { export: { status: 'done', detail: '1,177 records' }, deploy: { status: 'skipped' } };
    await saveState(services.statePath, saved);
    app = await mountFromSavedState(services);
    await waitForFrame(app, 'Resume at step 3: Test the connection');
    await select(app, 'Start over');
    const fresh = await waitForFrame(app, 'Where is your data?');
    expect(fresh).toContain('▶ 1. Export from Chroma Cloud ← you are here');
    expect(fresh).toContain('· 2. Deploy a self-hosted Chroma');
    // The old state was moved aside; the new one holds only the fresh start.
    await waitUntil(async () => (await loadState(services.statePath)).steps.export?.status === 'active', 5_000, 'the fresh state');
    expect((await loadState(services.statePath)).steps.deploy).toBeUndefined();
    const archived = (await readdir(own)).filter((name) => name.startsWith('state.json.') && name.endsWith('.bak'));
    expect(archived).toHaveLength(1);
    expect((await stat(join(own, archived[0]!))).size).toBeGreaterThan(0);
  });
});
