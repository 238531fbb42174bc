import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsClient } from '../../src/present/app-snippets.js';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { caddyRequired, caddyVersion, filesUnder, skipWithoutCaddy, startCaddy, type RunningCaddy } from '../helpers/caddy.js';
import { useChromaServer } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const TOKEN = 'caddy-test-token-0123456789abcdef';
const PROJECT = fileURLToPath(new URL('../..', import.meta.url));

it('Caddy is installed wherever the tests require it (CI)', () => {
  if (caddyRequired) expect(caddyVersion, 'CI must install caddy (apt-get install -y caddy)').not.toBeNull();
});

describe.skipIf(skipWithoutCaddy)('the written proxy files, run by the real Caddy in front of a real Chroma', () => {
  const chroma = useChromaServer();
  let dir = '';
  let railway: RunningCaddy;
  let proxyUrl = '';
  let proxyEnv: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-deploy-'));
    const written = await runCli(['deploy-guide', '--host', 'railway', '--write', join(dir, 'railway')]);
    expect(written.code).toBe(0);
    const port = await freePort();
    proxyEnv = { PORT: String(port), CHROMA_AUTH_TOKEN: TOKEN, CHROMA_UPSTREAM: new URL(chroma.url).host };
    proxyUrl = `http://127.0.0.1:${port}`;
    railway = await startCaddy(join(dir, 'railway', 'Caddyfile'), proxyEnv, { http: `${proxyUrl}/api/v2/heartbeat` });
  });
  afterAll(async () => {
    await railway?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('caddy validate accepts the Railway Caddyfile and both compose files as written', async () => {
    await runCli(['deploy-guide', '--host', 'docker', '--write', join(dir, 'docker')]);
    for (const [file, env] of [
      [join(dir, 'railway', 'Caddyfile'), proxyEnv],
      [join(dir, 'docker', 'Caddyfile'), { CHROMA_DOMAIN: 'chroma.example.com', CHROMA_AUTH_TOKEN: TOKEN, CHROMA_UPSTREAM: 'chroma:8000' }],
    ] as const) {
      const result = spawnSync('caddy', ['validate', '--config', file, '--adapter', 'caddyfile'], {
        env: { PATH: process.env.PATH, HOME: join(dir, 'validate-home'), XDG_DATA_HOME: join(dir, 'validate-data'), XDG_CONFIG_HOME: join(dir, 'validate-config'), ...env },
        encoding: 'utf8',
      });
      expect(result.stdout + result.stderr, file).toContain('Valid configuration');
    }
    expect(await readFile(join(dir, 'docker', 'compose.yaml'), 'utf8')).toContain('image: chromadb/chroma:1.5.9');
  });

  it('refuses no token and a wrong one (401), lets either header through, and leaves only the heartbeat open', async () => {
    const collections = `${proxyUrl}/api/v2/tenants/default_tenant/databases/default_database/collections`;
    const status = async (headers: Record<string, string>, url = collections) => (await fetch(url, { headers })).status;
    expect(await status({})).toBe(401);
    expect(await status({ authorization: 'Bearer wrong-token' })).toBe(401);
    expect(await status({ 'x-chroma-token': 'wrong-token' })).toBe(401);
    expect(await status({ authorization: TOKEN })).toBe(401); // without "Bearer "
    expect(await status({ authorization: `Bearer ${TOKEN}` })).toBe(200);
    expect(await status({ 'x-chroma-token': TOKEN })).toBe(200);
    expect(await status({}, `${proxyUrl}/api/v2/heartbeat`)).toBe(200);
    expect(await status({}, `${proxyUrl}/api/v2/version`)).toBe(401);
    expect(await status({}, `${proxyUrl}/api/v2/pre-flight-checks`)).toBe(401);
    const refused = await fetch(collections);
    expect(await refused.json()).toMatchObject({ error: 'Unauthorized' });
  });

  it('with CHROMA_AUTH_TOKEN unset on the proxy, an empty token opens nothing (503 that names the variable)', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const unset = await startCaddy(join(dir, 'railway', 'Caddyfile'), { ...proxyEnv, PORT: String(port), CHROMA_AUTH_TOKEN: '' }, { http: `${url}/api/v2/heartbeat` });
    try {
      const collections = `${url}/api/v2/tenants/default_tenant/databases/default_database/collections`;
      for (const headers of [{}, { authorization: 'Bearer ' }, { 'x-chroma-token': '' }] as Array<Record<string, string>>) {
        const answer = await fetch(collections, { headers });
        expect(answer.status).toBe(503);
        expect(await answer.text()).toContain('CHROMA_AUTH_TOKEN is not set on the proxy');
      }
    } finally {
      await unset.stop();
    }
  });

  it('keeps the token out of every file Caddy wrote (autosave.json included)', async () => {
    const files = await filesUnder(railway.dir);
    expect(files.some((file) => file.endsWith('autosave.json'))).toBe(true);
    for (const file of files) expect((await readFile(file)).includes(TOKEN), file).toBe(false);
  });

  it('ping, import and verify pass through it with the token', async () => {
    const env = { CHROMA_AUTH_TOKEN: TOKEN };
    const ping = await runCli(['ping', '--url', proxyUrl], env);
    expect(ping.stdout).toContain('✓ List collections: ');
    expect(ping.stdout).toMatch(/Access without the token: refused \(401\)/);
    expect(ping.code).toBe(0);
    const input = join(dir, 'backup.json');
    await writePythonRowsJson(input, 'through_caddy', makeRecords(250, { dim: 8 }), { metadata: { 'hnsw:space': 'l2' } });
    const state = join(dir, 'state.json');
    const imported = await runCli(['import', '--input', input, '--url', proxyUrl, '--state', state, '--if-exists', 'abort', '--space', 'l2'], env);
    expect(imported.stderr).toContain('250 of 250 records');
    expect(imported.code).toBe(0);
    const verified = await runCli(['verify', '--input', input, '--url', proxyUrl, '--state', state], env);
    expect(verified.code).toBe(0);
    const bareToken = await runCli(['ping', '--url', proxyUrl, '--token-header', 'x-chroma-token'], env);
    expect(bareToken.code).toBe(0);
  });

  it('with a wrong token ping names the token (401 on /api/v2/version), in the words import uses for it', async () => {
    for (const header of ['authorization', 'x-chroma-token']) {
      const ping = await runCli(['ping', '--url', proxyUrl, '--token-header', header], { CHROMA_AUTH_TOKEN: 'not-the-token' });
      expect(ping.code).toBe(1);
      expect(ping.stdout).toContain('The server refused the token (401)');
      expect(ping.stdout).not.toMatch(/old or unusual build|Upgrade to Chroma/);
      expect(ping.stdout).not.toContain('not-the-token');
    }
  });

  it('without the token ping says the server wants one (not that it refused a token)', async () => {
    const ping = await runCli(['ping', '--url', proxyUrl]);
    expect(ping.code).toBe(1);
    expect(ping.stdout).not.toContain('refused the token');
    expect(ping.stdout).toMatch(/wants a token/);
  });

  describe('tokens Caddy could read as patterns, with a stand-in upstream that goes away', () => {
    // A node server stands in for Chroma so it can be stopped: Caddy logs the request's headers
    // on every failed upstream dial, which is where a token could leak.
    for (const token of ['*', 'abc*', 'Tok3n_normal-XYZ0123456789']) {
      it(`token ${JSON.stringify(token)}: only the exact value passes, and it never shows in Caddy's output`, async () => {
        const upstream = createServer((_request, response) => response.end('{"ok":true}'));
        await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
        const upstreamPort = (upstream.address() as AddressInfo).port;
        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        const caddy = await startCaddy(join(dir, 'railway', 'Caddyfile'), { PORT: String(port), CHROMA_AUTH_TOKEN: token, CHROMA_UPSTREAM: `127.0.0.1:${upstreamPort}` }, { http: `${url}/api/v2/heartbeat` });
        try {
          const collections = `${url}/api/v2/tenants/default_tenant/databases/default_database/collections`;
          const status = async (headers: Record<string, string>) => (await fetch(collections, { headers })).status;
          expect(await status({ 'x-chroma-token': token })).toBe(200);
          expect(await status({ authorization: `Bearer ${token}` })).toBe(200);
          const near = token === '*' ? ['anything', 'x', '**'] : token === 'abc*' ? ['abcdef', 'abc', 'abc*x'] : [`${token}x`, token.slice(0, -1), token.toLowerCase()];
          for (const wrong of near) {
            expect(await status({ 'x-chroma-token': wrong }), wrong).toBe(401);
            expect(await status({ authorization: `Bearer ${wrong}` }), wrong).toBe(401);
          }
          await new Promise<void>((resolve) => upstream.close(() => resolve()));
          upstream.closeAllConnections();
          expect(await status({ 'x-chroma-token': token })).toBe(502);
          expect(await status({ authorization: `Bearer ${token}` })).toBe(502);
          const heartbeat = await fetch(`${url}/api/v2/heartbeat`, { headers: { 'x-chroma-token': token } });
          expect(heartbeat.status).toBe(502);
          await fetch(`${url}/api/v2/heartbeat`, { headers: { 'x-chroma-token': `LEAKCANARY${token}` } });
        } finally {
          upstream.close();
          await caddy.stop();
        }
        const output = caddy.output();
        expect(output).toContain('"X-Chroma-Token":"REDACTED"');
        expect(output).not.toContain('LEAKCANARY');
        expect(output).not.toContain('"X-Chroma-Token":[');
        // Node's fetch sends `Accept: */*` and `Accept-Language: *`: take those out before looking for `*`.
        const withoutAccept = output.replaceAll('"Accept":["*/*"]', '').replaceAll('"Accept-Language":["*"]', '');
        expect(withoutAccept).not.toContain(token === '*' ? '"*"' : token);
      });
    }

    it('the domain Caddyfile without CHROMA_DOMAIN refuses to start and says which variable is missing', async () => {
      const result = spawnSync('caddy', ['validate', '--config', join(dir, 'docker', 'Caddyfile'), '--adapter', 'caddyfile'], {
        env: { PATH: process.env.PATH, HOME: join(dir, 'validate-home'), XDG_DATA_HOME: join(dir, 'validate-data'), XDG_CONFIG_HOME: join(dir, 'validate-config'), CHROMA_AUTH_TOKEN: TOKEN, CHROMA_UPSTREAM: 'chroma:8000' },
        encoding: 'utf8',
      });
      expect(result.status).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/chroma_domain is not set/i);
    });
  });

  describe('HTTPS with Caddy\'s own CA (the compose Caddyfile on localhost)', () => {
    let https: RunningCaddy;
    let httpsUrl = '';
    beforeAll(async () => {
      await runCli(['deploy-guide', '--host', 'vm', '--write', join(dir, 'vm')]);
      const [httpPort, httpsPort] = [await freePort(), await freePort()];
      https = await startCaddy(
        join(dir, 'vm', 'Caddyfile'),
        { CHROMA_DOMAIN: 'localhost', HTTP_PORT: String(httpPort), HTTPS_PORT: String(httpsPort), CHROMA_AUTH_TOKEN: TOKEN, CHROMA_UPSTREAM: new URL(chroma.url).host },
        { tlsPort: httpsPort, servername: 'localhost' },
      );
      httpsUrl = `https://localhost:${httpsPort}`;
    });
    afterAll(async () => {
      await https?.stop();
    });

    it('ping, import and verify pass with NODE_EXTRA_CA_CERTS pointing at Caddy\'s root certificate', async () => {
      const child = spawnCli(['ping', '--url', httpsUrl], { env: { CHROMA_AUTH_TOKEN: TOKEN, NODE_EXTRA_CA_CERTS: https.rootCert } });
      const code = await exitOf(child);
      expect(child.output()).toContain('✓ TLS: the certificate is trusted');
      expect(child.output()).toContain('Connection OK');
      expect(code).toBe(0);
      // import and verify too, over HTTPS, with the CA given the same way.
      const env = { CHROMA_AUTH_TOKEN: TOKEN, NODE_EXTRA_CA_CERTS: https.rootCert };
      const input = join(dir, 'backup-https.json');
      await writePythonRowsJson(input, 'over_https', makeRecords(120, { dim: 8, seed: 7 }), { metadata: { 'hnsw:space': 'l2' } });
      const state = join(dir, 'state-https.json');
      const imported = spawnCli(['import', '--input', input, '--url', httpsUrl, '--state', state, '--if-exists', 'abort', '--space', 'l2'], { env });
      expect(await exitOf(imported), imported.output()).toBe(0);
      const verified = spawnCli(['verify', '--input', input, '--url', httpsUrl, '--state', state], { env });
      expect(await exitOf(verified), verified.output()).toBe(0);
    });

    it('the app\'s JS client code from the Done screen reads the new .env values and gets through with the token', async () => {
      const port = new URL(httpsUrl).port;
      const script = `${jsClient()}\nconsole.log('collections:', JSON.stringify((await client.listCollections()).map((c) => c.name)));`;
      const env = { PATH: process.env.PATH ?? '', DOTENV_CONFIG_QUIET: 'true', NODE_EXTRA_CA_CERTS: https.rootCert, CHROMA_HOST: 'localhost', CHROMA_PORT: port, CHROMA_SSL: 'true' };
      // Run from the project folder, where chromadb and dotenv resolve.
      const withToken = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: PROJECT, env: { ...env, CHROMA_AUTH_TOKEN: TOKEN }, encoding: 'utf8' });
      expect(withToken.stdout + withToken.stderr).toContain('"through_caddy"');
      const without = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: PROJECT, env, encoding: 'utf8' });
      expect(without.status).not.toBe(0);
      expect(without.stdout + without.stderr).toMatch(/Unauthorized|401/);
    });

    it('without it fails at once, naming the CA problem and NODE_EXTRA_CA_CERTS, and import does not retry', async () => {
      const ping = spawnCli(['ping', '--url', httpsUrl], { env: { CHROMA_AUTH_TOKEN: TOKEN, NODE_EXTRA_CA_CERTS: '' } });
      expect(await exitOf(ping)).toBe(1);
      expect(ping.output()).toMatch(/✗ TLS: .*not trust/);
      expect(ping.output()).toContain('NODE_EXTRA_CA_CERTS');
      const input = join(dir, 'backup.json');
      const imported = spawnCli(['import', '--input', input, '--url', httpsUrl, '--state', join(dir, 'state-tls.json'), '--if-exists', 'abort', '--space', 'l2'], {
        env: { CHROMA_AUTH_TOKEN: TOKEN, NODE_EXTRA_CA_CERTS: '' },
      });
      expect(await exitOf(imported)).toBe(1);
      expect(imported.output()).toContain('NODE_EXTRA_CA_CERTS');
      expect(imported.output()).not.toMatch(/retry \d/);
    });
  });
});
