/**
 * "Start over" begins a new migration, but the app's .env is the same file: what it held before the
 * first migration's step 4 (the Chroma Cloud settings) is what rollback must give back, however
 * many times step 4 writes it since. The fresh state keeps that record, and the tokens step 2 put
 * in .env; the progress (steps, checkpoints, target) starts again.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { withDeployToken } from '../../src/core/state/deploy-token.js';
import { loadState } from '../../src/core/state/store.js';
import { runCli } from '../helpers/cli.js';
import { press, select, waitForFrame, waitUntil } from '../helpers/ink.js';
import { mountFromSavedState, mountWizard, standingOn, testServices, useFolderAndServer } from './harness.js';
import type { WizardServices } from '../../src/wizard/services.js';

const world = useFolderAndServer();
const CLOUD = 'CHROMA_HOST=api.trychroma.com\nCHROMA_API_KEY=ck-cloud-key-0000\nCHROMA_TENANT=acme\nCHROMA_DATABASE=prod\n';

/** Step 4 for `url`, answered yes; resolves once .env points at it. */
async function stepFour(services: WizardServices, url: string): Promise<void> {
  const app = mountWizard(services, standingOn('env'), { target: endpoint({ url }) });
  try {
    await waitForFrame(app, 'Write it', 20_000);
    await press(app, 'y');
    const host = new URL(url).hostname;
    await waitUntil(async () => parse(await readFile(services.envFile, 'utf8')).CHROMA_HOST === host, 10_000, `.env → ${host}`);
    await waitUntil(async () => (await loadState(services.statePath)).steps.env?.status === 'done', 10_000, 'step 4 saved');
  } finally {
    app.stop();
  }
}

describe('Start over', () => {
  it('keeps what .env held before the first step 4: after a second step 4, rollback gives back the Cloud settings', async () => {
    const dir = join(world.dir, 'env-origin');
    await mkdir(dir, { recursive: true });
    const services = testServices({ dir, env: {} });
    await writeFile(services.envFile, CLOUD);
    await services.updateState((saved) => ({ ...saved, ...withDeployToken(saved, services.envFile, 'step-two-token-0123456789abcdef') }));

    await stepFour(services, world.url);
    const first = await loadState(services.statePath);
    expect(first.envOrigins).toHaveLength(1);

    const app = await mountFromSavedState(services);
    try {
      await waitForFrame(app, 'Start over');
      await select(app, 'Start over');
      await waitForFrame(app, 'Where is your data?');
      await waitUntil(async () => (await loadState(services.statePath)).steps.export?.status === 'active', 5_000, 'the fresh state');
    } finally {
      app.stop();
    }
    const fresh = await loadState(services.statePath);
    expect(fresh.steps.env).toBeUndefined();
    expect(fresh.targetUrl).toBeUndefined();
    expect(fresh.envOrigins).toEqual(first.envOrigins);
    expect(fresh.deployTokens).toEqual(first.deployTokens);

    // The new migration's step 4, to another address: its backup holds the first run's server.
    const other = world.url.includes('localhost') ? world.url.replace('localhost', '127.0.0.1') : world.url.replace('127.0.0.1', 'localhost');
    await stepFour(services, other);

    const rollback = await runCli(['rollback', '--env-file', services.envFile, '--state', services.statePath, '--yes']);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(parse(await readFile(services.envFile, 'utf8'))).toEqual(parse(CLOUD));
  });
});
