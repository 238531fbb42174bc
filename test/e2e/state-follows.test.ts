import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { loadState } from '../../src/core/state/store.js';
import { runCli } from '../helpers/cli.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-state-follows-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** No timed assertion: the test's own timeout bounds the wait on a loaded machine. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('the state follows the user through the subcommands', () => {
  it('after serve, ping and env set from the shell, status shows steps 2–4 done', async () => {
    const state = join(dir, 'state.json');
    const envFile = join(dir, '.env');
    const port = await freePort();
    // An explicit --dotenv must exist (only env set creates one): the app's .env, empty so far.
    await writeFile(envFile, '');
    const stop = new AbortController();
    const serving = runCli(['serve', '--path', join(dir, 'data'), '--port', String(port), '--state', state, '--dotenv', envFile], {}, stop.signal);
    try {
      await until(async () => (await loadState(state)).steps.deploy?.status === 'done');
      const url = `http://localhost:${port}`;
      const ping = await runCli(['ping', '--url', url, '--state', state]);
      expect(ping.code, ping.stdout).toBe(0);
      const env = await runCli(['env', 'set', '--url', url, '--dotenv', envFile, '--state', state, '--yes']);
      expect(env.code, env.stderr).toBe(0);
      const status = await runCli(['status', '--state', state]);
      expect(status.stdout).toContain(`[✓] 2. Deploy a self-hosted Chroma (local server ${url})`);
      expect(status.stdout).toContain(`[✓] 3. Test the connection (${url})`);
      expect(status.stdout).toContain(`[✓] 4. Update .env (.env → ${url})`);
      // The export (step 1) was never run here: that is where the user still is.
      expect(status.stdout).toMatch(/\[ \] 1\. Export from Chroma Cloud\s+← you are here/);
      expect(status.stdout).toContain(`Target: ${url}`);
      expect((await loadState(state)).localServer).toEqual({ path: join(dir, 'data'), port });
    } finally {
      stop.abort();
      expect((await serving).code).toBe(0);
    }
  });

  it('a failed ping ticks nothing', async () => {
    const state = join(dir, 'state-failed.json');
    const ping = await runCli(['ping', '--url', `http://127.0.0.1:${await freePort()}`, '--state', state]);
    expect(ping.code).toBe(1);
    expect((await loadState(state)).steps).toEqual({});
  });

  it('env set without a token leaves the file\'s mode alone', async () => {
    const envFile = join(dir, 'no-token.env');
    const first = await runCli(['env', 'set', '--url', 'http://localhost:8000', '--dotenv', envFile, '--state', join(dir, 's.json'), '--yes']);
    expect(first.code).toBe(0);
    expect(first.stderr).not.toContain('only you can read it');
    expect((await stat(envFile)).mode & 0o777).toBe(0o600); // a new file is 0600 anyway
  });

  describe('serve on a port that is taken', () => {
    let blocker: Server;
    let taken = 0;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      blocker = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const address = blocker.address();
      taken = typeof address === 'object' && address ? address.port : 0;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    });

    it('says so and names the next free port (no terminal to ask in); with .env on that port, says to update it', async () => {
      const envFile = join(dir, 'taken.env');
      await runCli(['env', 'set', '--url', `http://localhost:${taken}`, '--dotenv', envFile, '--state', join(dir, 's2.json'), '--yes']);
      const serve = await runCli(['serve', '--path', join(dir, 'data2'), '--dotenv', envFile, '--state', join(dir, 's2.json')]);
      expect(serve.code).toBe(1);
      expect(serve.stderr).toContain(`Port ${taken} is in use by another program on this machine.`);
      expect(serve.stderr).toMatch(new RegExp(`chroma-migrate serve --port ${taken + 1}|chroma-migrate serve --port \\d+`));
      expect(serve.stderr).toContain(`Your .env points at port ${taken}`);
    });
  });
});
