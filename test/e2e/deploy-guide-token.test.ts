/**
 * deploy-guide shows the token the proxy must hold. The wizard keeps the token it made in the
 * app's .env (CHROMA_AUTH_TOKEN) the moment it makes it; a guide that printed another one sent the
 * user to set that one on the proxy, and step 3 (and the app) then got 401 with the .env's.
 * The printed token is put on the real Caddy proxy in front of a real Chroma, and `ping` with the
 * token from .env must pass through it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { skipWithoutCaddy, startCaddy, type RunningCaddy } from '../helpers/caddy.js';
import { useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { withDeployToken } from '../../src/core/state/deploy-token.js';
import { emptyState, saveState } from '../../src/core/state/store.js';

const KEPT = 'kept-by-the-wizard-0123456789abcdefABCDEF_-xyz';

describe.skipIf(skipWithoutCaddy)('deploy-guide and the token already in .env', () => {
  const chroma = useChromaServer();
  let dir = '';
  let proxy: RunningCaddy | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-guide-token-'));
  });
  afterAll(async () => {
    await proxy?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the CHROMA_AUTH_TOKEN the wizard kept in .env, so the proxy set up with it accepts the app', async () => {
    const dotenv = join(dir, '.env');
    await writeFile(dotenv, `CHROMA_API_KEY=ck-cloud\nCHROMA_AUTH_TOKEN=${KEPT}\n`, { mode: 0o600 });
    const json = await runCli(['deploy-guide', '--write', join(dir, 'railway'), '--dotenv', dotenv, '--json']);
    expect(json.code).toBe(0);
    const guide = JSON.parse(json.stdout) as { token: string; tokenFrom: string };
    expect(guide).toMatchObject({ token: KEPT, tokenFrom: 'env' });

    // The wizard noted it as step 2's (by a digest): the guide says so.
    const state = join(dir, 'state.json');
    await saveState(state, { ...emptyState(), ...withDeployToken(emptyState(), dotenv, KEPT) });
    const text = await runCli(['deploy-guide', '--dotenv', dotenv, '--state', state]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(KEPT);
    expect(text.stdout).toContain(`CHROMA_AUTH_TOKEN from ${dotenv}`);
    expect(text.stdout).toContain('the token the wizard made in step 2');
    expect(text.stdout).not.toContain('shown once');
    expect(text.stdout).not.toContain('It is short');

    // The user sets the printed token on the proxy; step 3 tests with the one in .env.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    proxy = await startCaddy(join(dir, 'railway', 'Caddyfile'), { PORT: String(port), CHROMA_AUTH_TOKEN: guide.token, CHROMA_UPSTREAM: new URL(chroma.server.url).host }, { http: `${url}/api/v2/heartbeat` });
    const ping = await runCli(['ping', '--url', url, '--token', KEPT]);
    expect(ping.stdout).toContain('✓ List collections: ');
    expect(ping.code).toBe(0);
  }, 60_000);

  it('names the server the app already sends it to, and makes a new token only when .env holds none', async () => {
    const hosted = join(dir, 'hosted.env');
    await writeFile(hosted, `CHROMA_HOST=chroma.example.com\nCHROMA_AUTH_TOKEN=${KEPT}\n`, { mode: 0o600 });
    const reused = await runCli(['deploy-guide', '--dotenv', hosted]);
    expect(reused.stdout).toContain(KEPT);
    expect(reused.stdout).toContain('chroma.example.com');

    // One the wizard did not make is still the one the app sends; said as such, and a short one said to be weak.
    const byHand = join(dir, 'by-hand.env');
    await writeFile(byHand, 'CHROMA_AUTH_TOKEN=set-by-hand\n', { mode: 0o600 });
    const shown = await runCli(['deploy-guide', '--dotenv', byHand]);
    expect(shown.stdout).toContain('set-by-hand');
    expect(shown.stdout).toContain('not one the wizard made');
    expect(shown.stdout).toContain('! It is short (11 characters): easy to guess.');

    const empty = join(dir, 'empty.env');
    await writeFile(empty, 'CHROMA_API_KEY=ck-cloud\n');
    const first = JSON.parse((await runCli(['deploy-guide', '--dotenv', empty, '--json'])).stdout) as { token: string; tokenFrom: string };
    const second = JSON.parse((await runCli(['deploy-guide', '--dotenv', empty, '--json'])).stdout) as { token: string; tokenFrom: string };
    expect(first.tokenFrom).toBe('new');
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(first.token).not.toBe(second.token);
    const fresh = await runCli(['deploy-guide', '--dotenv', empty]);
    expect(fresh.stdout).toContain('shown once');
  });
});
