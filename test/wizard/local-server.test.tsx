/**
 * The local server as a real target: its port is asked (a free one offered, a taken one said),
 * and at the end the user chooses to keep the server running after the wizard or to stop it.
 * Real Chroma servers throughout; the wizard's screens as the user sees them.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { freePort, portIsTaken, startChromaServer, type RunningServer } from '../../src/core/local-server/chroma-server.js';
import { nextFreePort } from '../../src/core/local-server/local-port.js';
import { KEY, press, select, tick, typeLine, waitForFrame, waitUntil } from '../helpers/ink.js';
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

/** A port held by another program (not Chroma) for the file's tests. */
function useBlockedPort(): { readonly port: number } {
  let blocker: Server;
  let port = 0;
  // The check asks whether Chroma answers there: those connections are closed with the blocker.
  const sockets: Socket[] = [];
  beforeAll(async () => {
    blocker = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });
  return {
    get port() {
      return port;
    },
  };
}

describe('step 2: the local server\'s port is asked', () => {
  const blocked = useBlockedPort();
  /** A folder of its own for each server started: one data folder is served once. */
  const own = async (name: string) => {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    return folder;
  };

  it('offers 8000 (or the first free port after it), says a taken port typed in words, and starts on the one typed next', async () => {
    const offered = (await portIsTaken(8000)) ? await nextFreePort(8000) : 8000;
    const app = await mount(testServices({ dir: await own('typed'), env: {}, overrides: { startChromaServer: tracked } }), standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'Start a local Chroma server');
    const asked = await waitForFrame(app, 'Port (Enter for');
    expect(asked).toContain(`Port (Enter for ${offered}; Esc goes back):`);
    expect(servers).toHaveLength(0);

    await typeLine(app, String(blocked.port));
    const taken = await waitForFrame(app, 'in use by another program');
    expect(taken).toContain(`! Port ${blocked.port} is in use by another program on this machine.`);
    expect(servers).toHaveLength(0);

    await typeLine(app, 'eighty');
    expect(await waitForFrame(app, 'is not a port')).toContain('"eighty" is not a port: type a whole number from 1 to 65535.');

    const port = await freePort();
    await press(app, '\u0015'); // Ctrl-U: the line empty again
    await typeLine(app, String(port));
    await waitForFrame(app, 'Step 3');
    expect(servers.at(-1)?.port).toBe(port);
  });

  it('Esc on the port question goes back to the list of hosts, not to step 1', async () => {
    const app = await mount(testServices({ dir, env: {}, overrides: { startChromaServer: tracked } }), standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    const before = servers.length;
    await select(app, 'Start a local Chroma server');
    await waitForFrame(app, 'Port (Enter for');
    await press(app, KEY.escape);
    const back = await waitForFrame(app, 'Where will your Chroma server run?');
    expect(back).toContain('▶ 2. Deploy a self-hosted Chroma ← you are here');
    expect(servers).toHaveLength(before);
  });

  it('the port .env points at, when taken, is said and the next free one offered; Enter starts there', async () => {
    const env = { CHROMA_HOST: 'localhost', CHROMA_PORT: String(blocked.port) };
    const app = await mount(testServices({ dir: await own('env-taken'), env, overrides: { startChromaServer: tracked } }), standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'Start a local Chroma server');
    const offer = await waitForFrame(app, 'Port (Enter for');
    expect(offer.replace(/\s+/g, ' ')).toContain(`Port ${blocked.port} is in use by another program on this machine. Your .env points at it: step 4 points it at the port you choose here.`);
    const next = Number(/Enter for (\d+)/.exec(offer)?.[1]);
    expect(next).toBeGreaterThan(blocked.port);
    await press(app, KEY.enter);
    await waitForFrame(app, 'Step 3');
    expect(servers.at(-1)?.port).toBe(next);
  });

  it('the port .env points at, when free, is the one offered', async () => {
    const port = await freePort();
    const app = await mount(testServices({ dir, env: { CHROMA_HOST: 'localhost', CHROMA_PORT: String(port) }, overrides: { startChromaServer: tracked } }), standingOn('deploy'));
    await waitForFrame(app, 'Where will your Chroma server run?');
    await select(app, 'Start a local Chroma server');
    expect(await waitForFrame(app, 'Port (Enter for')).toContain(`Port (Enter for ${port}, the port your .env points at; Esc goes back):`);
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

describe('Done: a server this wizard did not start is not offered to stop', () => {
  it.each([60, 80])('at %i columns: the data went to another server, so no "runs inside this wizard", no stop, and that it keeps running', async (columns) => {
    const ours = await tracked({ path: join(dir, `unused-${columns}`) });
    const outside = await tracked({ path: join(dir, `outside-${columns}`) });
    await writeFile(join(dir, '.env'), `CHROMA_HOST=localhost\nCHROMA_PORT=${outside.port}\nCHROMA_SSL=false\n`);
    const state = { ...standingOn('ingest'), screen: 'done' as const };
    state.steps.ingest = 'done';
    const app = mountWizard(testServices({ dir, env: {} }), state, { localServer: ours, target: endpoint({ url: outside.url }) }, { columns, rows: 24 });
    mounted = app;
    const frame = (await waitForFrame(app, 'Exit')).replace(/\s+/g, ' ');
    expect(frame).not.toContain('runs inside this wizard');
    expect(frame).not.toContain('stop Chroma');
    expect(frame).not.toContain('keep Chroma running');
    expect(frame).toContain(`Your Chroma server (${outside.url}) was not started by this wizard: it keeps running after you exit.`);
    expect(frame).toContain(`The local server this wizard started (${ours.url}) is not the one your data went to: it stops when you exit.`);
  });
});
