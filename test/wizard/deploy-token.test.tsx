/**
 * The token step 2 makes for the proxy survives a Ctrl-C: it goes into the app's .env as
 * CHROMA_AUTH_TOKEN at once (a backup of the file kept, the Cloud keys untouched, the file made
 * readable by its owner only), so the wizard run again shows the same token and offers it at
 * step 3. It never reaches the state file or the run's log. Where .env cannot take it (it
 * already points the app at a self-hosted server), the guide and the way out say where it lives.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emptyState, loadState, saveState } from '../../src/core/state/store.js';
import { KEY, press, select, typeLine, waitForFrame, waitUntil } from '../helpers/ink.js';
import { mountFromSavedState, mountWizard, standingOn, tempDir, testServices, type Mounted } from './harness.js';

const CLOUD = 'CHROMA_API_KEY=ck-cloud-key-0000\nCHROMA_TENANT=acme\nCHROMA_DATABASE=prod\n';
const RAILWAY = 'https://chroma-prod.up.railway.app';

let root = '';
let app: Mounted | undefined;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});
afterEach(() => {
  app?.stop();
  app = undefined;
});

/** A folder of its own with the app's .env; tokens made there are told apart by their number. */
async function folder(name: string, env: string): Promise<{ dir: string; made: string[]; services: (logToFile?: boolean) => ReturnType<typeof testServices> }> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '.env'), env, { mode: 0o644 });
  const made: string[] = [];
  const newToken = () => {
    const token = `TOKEN-${made.length + 1}-0123456789abcdefghijklmnopqrstuvw`;
    made.push(token);
    return token;
  };
  return { dir, made, services: (logToFile = false) => testServices({ dir, env: undefined, logToFile, overrides: { newToken } }) };
}

async function ctrlC(mounted: Mounted): Promise<void> {
  await press(mounted, KEY.ctrlC);
  await waitUntil(() => mounted.exits.length > 0, 10_000, 'onExit after Ctrl-C');
  expect(mounted.exits).toEqual([130]);
}

describe('step 2: the token for the proxy', () => {
  it('is in .env as soon as it is shown; after a Ctrl-C the wizard shows the same one and offers it at step 3', async () => {
    const { dir, made, services } = await folder('railway', CLOUD);
    const first = services(true);
    app = mountWizard(first, standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'Railway');
    const guide = await waitForFrame(app, 'Token for the proxy');
    const token = made[0]!;
    expect(guide).toContain(token);

    // The Cloud keys stay, the old file is kept, and a file holding a token is the owner's alone.
    expect(await readFile(join(dir, '.env'), 'utf8')).toMatch(new RegExp(`^${CLOUD.replace(/\n/g, '\\n')}(.|\\n)*CHROMA_AUTH_TOKEN=${token}\\n$`));
    expect((await stat(join(dir, '.env'))).mode & 0o777).toBe(0o600);
    const backups = (await readdir(dir)).filter((name) => name.startsWith('.env.backup-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(dir, backups[0]!), 'utf8')).toBe(CLOUD);
    expect(guide.replace(/\s+/g, ' ')).toContain('Token for the proxy (kept in your .env; your app uses it from step 4 on):');

    await ctrlC(app);
    app = undefined;
    expect(await readFile(first.statePath, 'utf8')).not.toContain(token);
    await waitUntil(async () => (await readFile(first.logPath, 'utf8').catch(() => '')).includes('CHROMA_AUTH_TOKEN'), 5_000, 'the log line');
    expect(await readFile(first.logPath, 'utf8')).not.toContain(token);

    // The wizard again: step 2 shows the token the proxy may already hold, not a new one.
    app = await mountFromSavedState(services());
    await waitForFrame(app, 'Resume at step 2');
    await press(app, KEY.enter);
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'Railway');
    expect(await waitForFrame(app, 'Token for the proxy')).toContain(token);
    expect(made).toHaveLength(1);
    await select(app, 'It is deployed');
    await waitForFrame(app, 'Server URL');
    await waitUntil(async () => (await loadState(first.statePath)).steps.deploy?.status === 'done', 10_000, 'step 2 saved as done');
    await ctrlC(app);
    app = undefined;

    // And again, from step 3: the token is offered for the deployed server, once.
    app = await mountFromSavedState(services());
    await waitForFrame(app, 'Resume at step 3');
    await press(app, KEY.enter);
    await waitForFrame(app, 'Server URL');
    await typeLine(app, RAILWAY);
    const offers = await waitForFrame(app, 'Use the token generated in step 2');
    expect(offers).toMatch(/❯ Use the token generated in step 2\n/);
    expect(offers).not.toContain('CHROMA_AUTH_TOKEN from .env');
    expect(await readFile(first.statePath, 'utf8')).not.toContain(token);
  });

  it('is not written over a .env that points the app at a self-hosted server; the guide and the way out say where it lives', async () => {
    const own = 'CHROMA_HOST=localhost\nCHROMA_PORT=8000\n';
    const { dir, made, services } = await folder('host-set', own);
    app = mountWizard(services(), standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'Railway');
    const guide = (await waitForFrame(app, 'Token for the proxy')).replace(/\s+/g, ' ');
    expect(guide).toContain(made[0]);
    expect(guide).toContain('! Not saved in your .env: it already points your app at a self-hosted server (CHROMA_HOST), which would be sent this token from now on.');
    expect(guide).toContain("find it in Railway, in your proxy service's Variables (CHROMA_AUTH_TOKEN)");
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe(own);

    await ctrlC(app);
    expect(app.exitNotes).toEqual(["! The token made in step 2 is not in your .env, and chroma-migrate keeps no copy: find it in Railway, in your proxy service's Variables (CHROMA_AUTH_TOKEN). Step 3 asks for it."]);
    expect(app.exitNotes.join('\n')).not.toContain(made[0]);
    app = undefined;
  });

  it('a CHROMA_AUTH_TOKEN put in .env for another reason is not taken for step 2\'s: not shown as the proxy\'s, not offered first at step 3', async () => {
    const stray = 'set-by-hand-for-something-else';
    const { dir, made, services } = await folder('stray', `${CLOUD}CHROMA_AUTH_TOKEN=${stray}\n`);
    const saved = emptyState();
    saved.steps = { export: { status: 'done' }, deploy: { status: 'skipped' } };
    await saveState(join(dir, 'state.json'), saved);

    // Resumed at step 3: step 2's token is not what .env holds, and Enter alone chooses nothing.
    app = await mountFromSavedState(services());
    await waitForFrame(app, 'Resume at step 3');
    await press(app, KEY.enter);
    await waitForFrame(app, 'Server URL');
    await typeLine(app, RAILWAY);
    const offers = await waitForFrame(app, 'Type another token');
    expect(offers).not.toContain('generated in step 2');
    expect(offers.replace(/\s+/g, ' ')).toContain('Use CHROMA_AUTH_TOKEN from .env (not one this wizard made)');
    expect(offers).not.toContain('❯');
    await press(app, KEY.enter);
    expect(app.lastFrame()).toContain('Type another token');
    expect(app.lastFrame()).not.toContain('hidden; Enter for none');
    app.stop();
    app = undefined;

    // Step 2 makes a token of its own rather than show that one as the proxy's; .env keeps its own.
    app = mountWizard(services(), standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'Railway');
    const guide = (await waitForFrame(app, 'Token for the proxy')).replace(/\s+/g, ' ');
    expect(made).toHaveLength(1);
    expect(guide).toContain(made[0]);
    expect(guide).not.toContain(stray);
    expect(guide).toContain('! Not saved in your .env: it already holds another CHROMA_AUTH_TOKEN, left as it is.');
    expect(await readFile(join(dir, '.env'), 'utf8')).toContain(`CHROMA_AUTH_TOKEN=${stray}\n`);
  });

  it('is known again after "Start over" (the old state kept aside), since the proxy may already hold it', async () => {
    const { made, services } = await folder('start-over', CLOUD);
    app = mountWizard(services(), standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'Railway');
    await waitForFrame(app, 'Token for the proxy');
    await ctrlC(app);
    app = undefined;
    const saved = await loadState(services().statePath);
    expect(saved.deployTokens).toHaveLength(1);
    expect(JSON.stringify(saved)).not.toContain(made[0]);

    app = await mountFromSavedState(services());
    await waitForFrame(app, 'Start over');
    await select(app, 'Start over');
    await waitForFrame(app, 'Where is your data?');
    expect((await loadState(services().statePath)).deployTokens).toEqual(saved.deployTokens);
  });
});
