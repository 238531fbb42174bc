import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { probe, type CheckResult } from '../../src/core/chroma/probe.js';
import { useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const chroma = useChromaServer();
let guarded: FaultProxy;
let website: Server;
let websiteUrl = '';

beforeAll(async () => {
  guarded = await startFaultProxy(chroma.url, { token: { value: 'right-token-0123456789', header: 'authorization' } });
  website = createServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end('<html><body>Cannot GET</body></html>');
  });
  await new Promise<void>((resolve) => website.listen(0, '127.0.0.1', resolve));
  const address = website.address();
  websiteUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await guarded?.close();
  await new Promise((resolve) => website?.close(resolve));
});

async function checks(url: string, token?: string, treatAsPublic = false): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for await (const check of probe(endpoint({ url, token }), { treatAsPublic, timeoutMs: 5_000 })) results.push(check);
  return results;
}
const summary = (results: CheckResult[]) => results.map((check) => `${check.id}:${check.status}`);

describe('ping: each check failing in turn against real servers', () => {
  it('a local chroma-migrate serve passes every check, open only because it is localhost', async () => {
    const results = await checks(chroma.url);
    expect(summary(results)).toEqual(['dns:pass', 'tcp:pass', 'tls:skip', 'heartbeat:pass', 'version:pass', 'auth:pass', 'open:pass', 'preflight:pass']);
    expect(results.find((check) => check.id === 'version')?.detail).toMatch(/^Chroma 1\./);
    expect(results.find((check) => check.id === 'preflight')?.detail).toMatch(/up to [\d,]+ records/);
  });

  it('a stopped port fails at tcp: nothing listens there, not running or the wrong port', async () => {
    const port = await freePort();
    const results = await checks(`http://127.0.0.1:${port}`);
    expect(summary(results)).toEqual(['dns:pass', 'tcp:fail']);
    expect(results[1]?.detail).toBe(`Nothing accepts connections at 127.0.0.1:${port} (connection refused).`);
    expect(results[1]?.fix).toMatch(/not running \(yet\), or the port is wrong/);
  });

  it('a web server that is not Chroma fails at the heartbeat', async () => {
    const results = await checks(websiteUrl);
    expect(summary(results).at(-1)).toBe('heartbeat:fail');
    expect(results.at(-1)?.detail).toMatch(/not a Chroma server \(something else answered GET \/api\/v2\/heartbeat with 404: "<html>/);
  });

  it('a token-checking proxy with the wrong token fails at the authenticated call, naming the header', async () => {
    const results = await checks(guarded.url, 'wrong-token');
    expect(summary(results).slice(-2)).toEqual(['version:pass', 'auth:fail']);
    expect(results.at(-1)?.detail).toContain('"Authorization: Bearer"');
  });

  it('the right token passes, and the proxy refuses calls without it', async () => {
    const results = await checks(guarded.url, 'right-token-0123456789', true);
    expect(summary(results)).toContain('auth:pass');
    expect(summary(results)).toContain('open:pass');
  });

  it('a public server that answers without a token gets the loud warning', async () => {
    const results = await checks(chroma.url, undefined, true);
    const open = results.find((check) => check.id === 'open');
    expect(open?.status).toBe('warn');
    expect(open?.detail).toMatch(/ANYONE CAN READ AND DELETE/);
  });

  it('the ping command prints every check, never the token, and exits by the result', async () => {
    const good = await runCli(['ping', '--url', guarded.url], { CHROMA_AUTH_TOKEN: 'right-token-0123456789' });
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('✓ List collections: 0 collections listed with the token');
    expect(good.stdout + good.stderr).not.toContain('right-token-0123456789');
    const bad = await runCli(['ping', '--url', guarded.url, '--token', 'nope-nope-nope']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('✗ List collections');
    expect(bad.stdout).toContain('→ Check the token matches CHROMA_AUTH_TOKEN on the proxy');
    const json = await runCli(['ping', '--url', chroma.url, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true });
  });
});
