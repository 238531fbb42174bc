/**
 * The local server as a real target: a taken port is said and the next free one offered, and
 * at the end the user chooses to keep the server running after the wizard or to stop it.
 * Real Chroma servers throughout; the wizard's screens as the user sees them.
 */
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { startChromaServer, type RunningServer } from '../../src/core/local-server/chroma-server.js';
import { select, tick, waitForFrame, waitUntil } from '../helpers/ink.js';
import { mountWizard, stable, standingOn, tempDir, testServices, type Mounted } from './harness.js';

let dir = '';
let mounted: Mounted | undefined;
const servers: RunningServer[] = [];

beforeAll(async () => {
  dir = await tempDir();
});
afterEach(() => {
  mounted?.stop();
  mounted = undefined;
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

async function mount(...args: Parameters<typeof mountWizard>): Promise<Mounted> {
  mounted = mountWizard(...args);
  await tick();
  return mounted;
}
/** The real server start, remembered so the file's teardown stops every one. */
const tracked = (options: Parameters<typeof startChromaServer>[0]) =>
  startChromaServer(options).then((server) => {
    servers.push(server);
    return server;
  });

describe('step 2: a local server when the port .env points at is taken', () => {
  let blocker: Server;
  let taken = 0;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    taken = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('says the port is in use and starts on the next free one only when asked', async () => {
    const env = { CHROMA_HOST: 'localhost', CHROMA_PORT: String(taken) };
    const app = await mount(testServices({ dir, env, overrides: { startChromaServer: tracked } }), standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'Start a local Chroma server');
    const offer = await waitForFrame(app, 'instead');
    expect(offer).toContain(`Port ${taken} is already in use by another program on this machine.`);
    const next = Number(/on port (\d+) instead/.exec(offer)?.[1]);
    expect(next).toBeGreaterThan(taken);
    await select(app, 'instead');
    await waitForFrame(app, 'Step 3');
    expect(servers.at(-1)?.port).toBe(next);
  });
});

describe('Done: keep the local server running after the wizard, or stop it', () => {
  async function atDone(): Promise<{ app: Mounted; server: RunningServer; kept: RunningServer[] }> {
    const server = await tracked({ path: join(dir, `data-${servers.length}`) });
    // Step 4 wrote .env for this server.
    await writeFile(join(dir, '.env'), `CHROMA_HOST=localhost\nCHROMA_PORT=${server.port}\nCHROMA_SSL=false\n`);
    const kept: RunningServer[] = [];
    const state = { ...standingOn('ingest'), screen: 'done' as const };
    state.steps.ingest = 'done';
    const services = testServices({ dir, env: {}, overrides: { keepServerRunning: (running) => kept.push(running) } });
    const app = await mount(services, state, { localServer: server, target: endpoint({ url: server.url }) });
    await waitForFrame(app, 'keep Chroma running');
    return { app, server, kept };
  }

  it('offers both in plain words, with what .env points at', async () => {
    const { app, server } = await atDone();
    const frame = stable(app.lastFrame(), [dir]);
    expect(frame).toContain(`Exit, and keep Chroma running on port <port> (your .env points at it)`);
    expect(frame).toContain('Exit, and stop Chroma (start it again later with chroma-migrate serve)');
    expect(frame).toContain(`The local Chroma server (${server.url.replace(/:\d+$/, ':<port>')}) runs inside this wizard`);
  });

  it('keep: the server is handed over to outlive the wizard, with how to stop it', async () => {
    const { app, server, kept } = await atDone();
    await select(app, 'keep Chroma running');
    const last = await waitForFrame(app, 'To stop it');
    await waitUntil(() => app.exits.length > 0, 5_000, 'onExit');
    expect(kept).toEqual([server]);
    expect(last).toContain(`Chroma keeps running at ${server.url} (process ${server.pid})`);
    expect(last).toContain('To stop it: chroma-migrate serve --stop --path');
    expect((await fetch(`${server.url}/api/v2/heartbeat`)).ok).toBe(true);
  });

  it('stop: says .env still points at it and how to start it again', async () => {
    const { app, server, kept } = await atDone();
    await select(app, 'stop Chroma');
    const last = await waitForFrame(app, 'Start it again');
    expect(kept).toEqual([]);
    expect(last).toContain(`Chroma at ${server.url} stops now, and your .env still points at it.`);
    // The temp path is long enough to wrap at 80 columns.
    expect(last.replace(/\s+/g, ' ')).toContain(`chroma-migrate serve --path ${server.path} --port ${server.port}`);
  });

  it('shows the client code for Python and JavaScript that reads the new .env', async () => {
    const { app } = await atDone();
    await select(app, 'for Python');
    const python = await waitForFrame(app, 'chromadb.HttpClient(');
    expect(python).toContain('headers={"Authorization": f"Bearer {token}"} if token else None,');
    expect(python).toContain('chromadb.CloudClient(');
    await select(app, 'for JavaScript');
    const js = await waitForFrame(app, 'new ChromaClient({');
    expect(js).toContain('headers: token ? { Authorization: `Bearer ${token}` } : {},');
  });
});
