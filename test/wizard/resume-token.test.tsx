/**
 * The token typed at step 3 lives in memory only. Stopped before step 4 wrote it into .env (or
 * with step 4 declined), the wizard run again knows the server's URL but not its token: it asks
 * for the token again, saying why, rather than go on without one (401 at step 5) or with the one
 * .env holds for another server. The server is a real Chroma behind the real Caddy, with the
 * proxy files deploy-guide writes.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { emptyState, loadState, saveState } from '../../src/core/state/store.js';
import { skipWithoutCaddy, startCaddy, type RunningCaddy } from '../helpers/caddy.js';
import { startTestServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';
import { KEY, press, select, typeLine, waitForFrame, waitUntil } from '../helpers/ink.js';
import { mountFromSavedState, tempDir, testServices, type Mounted } from './harness.js';

const TOKEN = 'proxy-token-typed-at-step-3-0123456789';
const CLOUD = 'CHROMA_API_KEY=ck-cloud-key-0000\nCHROMA_TENANT=acme\nCHROMA_DATABASE=prod\n';
const RECORDS = 40;

let root = '';
let backup = '';
let chroma: Awaited<ReturnType<typeof startTestServer>>;
let caddy: RunningCaddy | undefined;
let proxyUrl = '';
let app: Mounted | undefined;

beforeAll(async () => {
  if (skipWithoutCaddy) return;
  root = await tempDir();
  backup = join(root, 'backup.json');
  await writePythonRowsJson(backup, 'resume_token', makeRecords(RECORDS, { dim: 8 }), { metadata: { 'hnsw:space': 'l2' } });
  chroma = await startTestServer();
  const written = await runCli(['deploy-guide', '--host', 'railway', '--write', join(root, 'railway')]);
  expect(written.code, written.stderr).toBe(0);
  const port = await freePort();
  proxyUrl = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), CHROMA_AUTH_TOKEN: TOKEN, CHROMA_UPSTREAM: new URL(chroma.server.url).host };
  caddy = await startCaddy(join(root, 'railway', 'Caddyfile'), env, { http: `${proxyUrl}/api/v2/heartbeat` });
}, 60_000);
afterAll(async () => {
  await caddy?.stop();
  await chroma?.cleanup();
  if (root) await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});
afterEach(() => {
  app?.stop();
  app = undefined;
});

/** A folder with the app's .env and a migration standing at step 3 (backup chosen, server deployed by hand). */
async function atStepThree(name: string, dotenv: string) {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '.env'), dotenv);
  const services = () => testServices({ dir, env: undefined });
  const saved = emptyState();
  saved.steps = { export: { status: 'done' }, deploy: { status: 'skipped' } };
  saved.backupPath = backup;
  await saveState(services().statePath, saved);
  return services;
}

/** Step 3 with the token typed (after `toTyping`, the keys that open the hidden input), then Ctrl-C at step 4's question. */
async function typedThenStopped(services: () => ReturnType<typeof testServices>, toTyping: (app: Mounted) => Promise<void>): Promise<void> {
  app = await mountFromSavedState(services());
  await waitForFrame(app, 'Resume at step 3');
  await press(app, KEY.enter);
  await waitForFrame(app, 'Server URL');
  await typeLine(app, proxyUrl);
  await toTyping(app);
  await waitForFrame(app, 'hidden');
  await typeLine(app, TOKEN, { echo: false });
  await waitForFrame(app, 'Continue to step 4', 20_000);
  await press(app, KEY.enter);
  await waitForFrame(app, 'Write it');
  await waitUntil(async () => (await loadState(services().statePath)).steps.connect?.status === 'done', 10_000, 'step 3 saved');
  await press(app, KEY.ctrlC);
  await waitUntil(() => app!.exits.length > 0, 10_000, 'onExit after Ctrl-C');
  expect(app.exits).toEqual([130]);
  app = undefined;
  expect(await readFile(services().statePath, 'utf8')).not.toContain(TOKEN);
}

/** The wizard again, resumed at step 4: the frame it shows first. */
async function resumedAtStepFour(services: () => ReturnType<typeof testServices>): Promise<string> {
  app = await mountFromSavedState(services());
  await waitForFrame(app, 'Resume at step 4');
  await press(app, KEY.enter);
  return (await waitForFrame(app, (frame) => frame.includes('Write it') || frame.includes('not saved'), 20_000)).replace(/\s+/g, ' ');
}

const onTarget = async () => {
  const api = new ChromaApi(endpoint({ url: proxyUrl, token: TOKEN }));
  const collections = await api.listCollections({ limit: 100, offset: 0 });
  const found = collections.find((collection) => collection.name === 'resume_token');
  return found ? api.count(found.id) : 0;
};

describe.skipIf(skipWithoutCaddy)('a token typed at step 3, the wizard stopped before step 4 kept it', () => {
  it('.env holds none: the resumed wizard asks for it again, says why, refuses a wrong one, and imports with the right one', async () => {
    const services = await atStepThree('no-token', CLOUD);
    await typedThenStopped(services, async () => undefined);
    expect(parse(await readFile(join(root, 'no-token', '.env'), 'utf8')).CHROMA_AUTH_TOKEN).toBeUndefined();

    const asked = await resumedAtStepFour(services);
    expect(asked).toContain(`Token for ${proxyUrl}`);
    expect(asked).toContain('Tokens are not saved');
    expect(asked).not.toContain(TOKEN);

    await typeLine(app!, 'not-the-token', { echo: false });
    const refused = (await waitForFrame(app!, 'refused', 20_000)).replace(/\s+/g, ' ');
    expect(refused).toContain('The server refused this token (401)');
    await typeLine(app!, TOKEN, { echo: false });

    // Step 4 writes the token typed again; declined here, step 5 imports with it all the same.
    const plan = (await waitForFrame(app!, 'Write it', 20_000)).replace(/\s+/g, ' ');
    expect(plan).toContain('+ CHROMA_AUTH_TOKEN=');
    expect(plan).not.toContain(TOKEN);
    await press(app!, 'n');
    await waitForFrame(app!, /Step 6|Continue to step 6/, 60_000);
    expect(await onTarget()).toBe(RECORDS);
    expect(await readFile(services().statePath, 'utf8')).not.toContain(TOKEN);
  });

  it(".env holds another server's token: the resumed wizard does not use it, and offers it only as another server's", async () => {
    const other = 'token-of-another-server-0123456789abcdef';
    const services = await atStepThree('other-token', `${CLOUD}CHROMA_HOST=old.example.com\nCHROMA_SSL=true\nCHROMA_AUTH_TOKEN=${other}\n`);
    await typedThenStopped(services, async (mounted) => {
      await waitForFrame(mounted, 'Type another token');
      await select(mounted, 'Type another token');
    });

    const asked = await resumedAtStepFour(services);
    expect(asked).toContain('Tokens are not saved');
    expect(asked).toContain('Use CHROMA_AUTH_TOKEN from .env (made for another server)');
    expect(asked).not.toMatch(/❯ Use CHROMA_AUTH_TOKEN/);
    await select(app!, 'Type the token');
    await waitForFrame(app!, 'hidden');
    await typeLine(app!, TOKEN, { echo: false });
    const plan = (await waitForFrame(app!, 'Write it', 20_000)).replace(/\s+/g, ' ');
    expect(plan).toContain('CHROMA_AUTH_TOKEN');
    await press(app!, 'y');
    await waitUntil(async () => parse(await readFile(join(root, 'other-token', '.env'), 'utf8')).CHROMA_AUTH_TOKEN === TOKEN, 10_000, '.env holds the token typed again');
  });
});
