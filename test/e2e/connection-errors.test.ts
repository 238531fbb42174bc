import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { explainRequestError } from '../../src/core/chroma/explain.js';
import { ChromaRequestError } from '../../src/core/chroma/http.js';
import { MigrateError } from '../../src/core/util/errors.js';
import { probe, type CheckResult } from '../../src/core/chroma/probe.js';
import { withRetry } from '../../src/core/util/retry.js';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { runCli, exitOf, spawnCli } from '../helpers/cli.js';

/**
 * Every way a connection fails gets its own words and fix, against real listeners: TLS servers
 * with certificates made by openssl here, plain HTTP servers, a port nobody listens on, and a
 * name under .invalid (reserved: it never resolves, nothing leaves the machine).
 */
let dir = '';
const servers: Server[] = [];
const urls: Record<string, string> = {};
const heartbeat: RequestListener = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"nanosecond heartbeat": 1}');
};

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}
function newKey(name: string, subject: string): void {
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
}
async function signed(name: string, dns: string, days: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), `subjectAltName=DNS:${dns}\n`);
  newKey(name, `/CN=${dns}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(Date.now()), '-days', days, '-extfile', `${name}.ext`, '-out', `${name}.crt`);
}
async function listen(server: Server, scheme: 'http' | 'https', name: string): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  urls[name] = `${scheme}://localhost:${typeof address === 'object' && address ? address.port : 0}`;
  servers.push(server);
}
async function tlsServer(name: string): Promise<void> {
  const options = { key: await readFile(join(dir, `${name}.key`)), cert: await readFile(join(dir, `${name}.crt`)) };
  await listen(createHttpsServer(options, heartbeat), 'https', name);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-tls-'));
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=chroma-migrate test CA');
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'self.key', '-out', 'self.crt', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost');
  await signed('good', 'localhost', '2');
  await signed('other-name', 'other.example', '2');
  // -days -1: valid until a day before it was made, i.e. expired.
  await signed('expired', 'localhost', '-1');
  for (const name of ['self', 'good', 'other-name', 'expired']) await tlsServer(name);
  await listen(createHttpServer(heartbeat), 'http', 'plain');
  await listen(createHttpServer((_request, response) => response.writeHead(200).end()), 'http', 'empty');
  await listen(
    createHttpServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html><h1>Welcome to nginx!</h1></html>')),
    'http',
    'html',
  );
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(dir, { recursive: true, force: true });
});

async function checks(url: string, token?: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for await (const check of probe(endpoint({ url, token }), { timeoutMs: 10_000 })) results.push(check);
  return results;
}
const last = (results: CheckResult[]) => results.at(-1) as CheckResult;

/** What import, verify and export say: the request error through explain, and how often it was tried. */
async function requestFailure(url: string): Promise<{ error: MigrateError; raw: ChromaRequestError; attempts: number }> {
  const target = endpoint({ url, timeoutMs: 10_000 });
  let attempts = 0;
  let raw: ChromaRequestError | undefined;
  try {
    await withRetry(
      () => {
        attempts++;
        return new ChromaApi(target).heartbeat();
      },
      { baseDelayMs: 1, maxDelayMs: 1 },
    );
  } catch (error) {
    raw = error as ChromaRequestError;
  }
  const explained = explainRequestError(raw, target);
  if (!(explained instanceof MigrateError) || !raw) throw new Error(`expected an explained request error, got ${String(explained)}`);
  return { error: explained, raw, attempts };
}

describe('connection errors, each with its own message and fix, none retried when retrying cannot help', () => {
  it('an untrusted issuer (self-signed, or an unknown CA) names the CA problem, NODE_EXTRA_CA_CERTS and Railway\'s own domain', async () => {
    for (const name of ['self', 'good']) {
      const tls = last(await checks(urls[name] as string));
      expect(tls.id).toBe('tls');
      expect(tls.detail).toMatch(/^The certificate of localhost is signed by a CA this machine does not trust \((DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/);
      expect(tls.fix).toContain('NODE_EXTRA_CA_CERTS=');
      expect(tls.fix).toContain('*.up.railway.app');
    }
    const { error, raw, attempts } = await requestFailure(urls.good as string);
    expect(error.message).toMatch(/signed by a CA this machine does not trust/);
    expect(error.fix).toContain('NODE_EXTRA_CA_CERTS');
    expect(raw.retryable).toBe(false);
    expect(attempts).toBe(1);
  });

  it('with the CA trusted (NODE_EXTRA_CA_CERTS): a name mismatch and an expired certificate, each in its words; an IP gets no DEP0123 warning', async () => {
    const env = { NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt') };
    const good = spawnCli(['ping', '--url', urls.good as string], { env });
    await exitOf(good);
    expect(good.output()).toContain('✓ TLS: the certificate is trusted');

    const other = spawnCli(['ping', '--url', (urls['other-name'] as string).replace('localhost', '127.0.0.1')], { env });
    expect(await exitOf(other)).toBe(1);
    expect(other.output()).toMatch(/✗ TLS: The certificate at 127\.0\.0\.1:\d+ is not for the name 127\.0\.0\.1/);
    expect(other.output()).toContain('exact domain the certificate was issued for');
    expect(other.output()).not.toContain('DEP0123');

    const expired = spawnCli(['ping', '--url', urls.expired as string], { env });
    expect(await exitOf(expired)).toBe(1);
    expect(expired.output()).toMatch(/✗ TLS: The certificate of localhost has expired \(CERT_HAS_EXPIRED/);
    expect(expired.output()).toContain('Renew it on the server');
  });

  it('plain HTTP on an https:// URL, and HTTPS on an http:// URL, say which to use', async () => {
    const plain = last(await checks((urls.plain as string).replace('http:', 'https:')));
    expect(plain.id).toBe('tls');
    expect(plain.detail).toMatch(/^localhost:\d+ answers plain HTTP, not HTTPS/);
    expect(plain.fix).toMatch(/Use http:\/\/localhost:\d+/);
    const tlsAsPlain = last(await checks((urls.good as string).replace('https:', 'http:')));
    expect(tlsAsPlain.id).toBe('heartbeat');
    expect(tlsAsPlain.detail).toMatch(/^localhost:\d+ speaks HTTPS, but the URL says http:\/\//);
    expect(tlsAsPlain.fix).toMatch(/Use https:\/\/localhost:\d+/);
    const { raw, attempts } = await requestFailure((urls.plain as string).replace('http:', 'https:'));
    expect(raw.network?.problem).toBe('tls-on-plain');
    expect(attempts).toBe(1);
    const reverse = await requestFailure((urls.good as string).replace('https:', 'http:'));
    expect(reverse.raw.network?.problem).toBe('plain-on-tls');
    expect(reverse.attempts).toBe(1);
  });

  it('a name that does not resolve is named, and not retried', async () => {
    const dns = last(await checks('http://chroma-migrate-test.invalid:8000'));
    expect(dns.id).toBe('dns');
    expect(dns.detail).toMatch(/^The host name chroma-migrate-test\.invalid does not resolve/);
    const { error, attempts } = await requestFailure('http://chroma-migrate-test.invalid:8000');
    expect(error.message).toContain('chroma-migrate-test.invalid');
    expect(attempts).toBe(1);
  });

  it('a refused port says nothing listens there (and is retried: a server may be restarting)', async () => {
    const port = await freePort();
    const tcp = last(await checks(`http://127.0.0.1:${port}`));
    expect(tcp.detail).toBe(`Nothing accepts connections at 127.0.0.1:${port} (connection refused).`);
    const { error, raw } = await requestFailure(`http://127.0.0.1:${port}`);
    expect(error.message).toBe(tcp.detail);
    expect(raw.retryable).toBe(true);
  });

  it('an empty or non-JSON 200 is "not a Chroma server (something else answered: …)", in ping and in import', async () => {
    const empty = last(await checks(urls.empty as string));
    expect(empty.detail).toMatch(/is not a Chroma server \(something else answered GET \/api\/v2\/heartbeat with 200: an empty page\)/);
    const html = last(await checks(urls.html as string));
    expect(html.detail).toContain('not a Chroma server (something else answered GET /api/v2/heartbeat with 200: "<html><h1>Welcome to nginx!</h1></html>")');
    const backup = join(dir, 'backup.json');
    await writeFile(backup, JSON.stringify({ collection_name: 'c', records: [{ id: 'a', document: 'd', metadata: null, embedding: [0.5, 0.25] }] }));
    for (const url of [urls.empty, urls.html] as string[]) {
      const imported = await runCli(['import', '--input', backup, '--url', url, '--state', join(dir, 'state.json'), '--if-exists', 'abort']);
      expect(imported.code).toBe(1);
      expect(imported.stderr).toMatch(/is not a Chroma server \(something else answered/);
      expect(imported.stderr).not.toMatch(/bug|Cannot read properties/i);
    }
  });

  it('a Chroma Cloud export that cannot connect names the Cloud host and never Railway', async () => {
    const exported = await runCli(['export', '--out', join(dir, 'out.jsonl.gz'), '--all', '--state', join(dir, 'state-export.json')], {
      CHROMA_API_KEY: 'ck-test-key',
      CHROMA_TENANT: 't',
      CHROMA_DATABASE: 'd',
      CHROMA_CLOUD_HOST: 'cloud-test.invalid',
    });
    expect(exported.code).toBe(1);
    expect(exported.stderr).toContain('cloud-test.invalid');
    expect(exported.stderr).not.toMatch(/railway/i);
    expect(exported.stderr).not.toContain('ck-test-key');
  });
});
