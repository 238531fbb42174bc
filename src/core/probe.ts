import { lookup } from 'node:dns/promises';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ChromaApi } from './chroma/api.js';
import { isLoopbackHost, type Endpoint } from './chroma/endpoint.js';
import { ChromaRequestError } from './chroma/http.js';
import { count, plural } from './format.js';

export type CheckId = 'dns' | 'tcp' | 'tls' | 'heartbeat' | 'version' | 'auth' | 'open' | 'preflight';
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a failure or warning, in words. */
  fix?: string;
}

export interface ProbeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Judge the host as public even on loopback (tests reach only loopback addresses). */
  treatAsPublic?: boolean;
}

const TITLES: Record<CheckId, string> = {
  dns: 'Host name resolves',
  tcp: 'Port accepts connections',
  tls: 'TLS',
  heartbeat: 'Chroma heartbeat',
  version: 'Chroma version',
  auth: 'List collections',
  open: 'Access without the token',
  preflight: 'Server limits (pre-flight)',
};

/**
 * The connection test, check by check, stopping at the first failure. Yields each result as it
 * finishes so a screen can tick them off live. Heartbeat and version never need a token, so
 * only an authenticated call proves the token works, and the same call without it tells
 * whether the database is open to anyone.
 */
export async function* probe(target: Endpoint, options: ProbeOptions = {}): AsyncGenerator<CheckResult> {
  const url = new URL(target.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const result = (id: CheckId, status: CheckStatus, detail: string, fix?: string): CheckResult => ({ id, title: TITLES[id], status, detail, fix });

  try {
    const address = await lookup(host);
    yield result('dns', 'pass', `${host} → ${address.address}`);
  } catch (error) {
    yield result('dns', 'fail', `${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, 'Check the host name for typos; a new Railway domain can take a minute to appear.');
    return;
  }

  const tcp = await tryTcp(host, port, timeoutMs);
  if (tcp) {
    const fix =
      tcp === 'ECONNREFUSED'
        ? 'Nothing listens there: the deployment may not be finished or running, or the port is wrong (Railway: use 443 with https).'
        : 'The host did not answer in time: check the URL, firewalls, and that the service is running.';
    yield result('tcp', 'fail', `${host}:${port} — ${tcp === 'ECONNREFUSED' ? 'connection refused' : tcp}.`, fix);
    return;
  }
  yield result('tcp', 'pass', `${host}:${port} is reachable`);

  if (url.protocol === 'https:') {
    const tls = await tryTls(host, port, timeoutMs);
    if (tls) {
      yield result('tls', 'fail', `The TLS handshake failed: ${tls}.`, 'The certificate is not trusted for this name. Use the exact public domain (Railway issues certificates for *.up.railway.app automatically), or http:// if the server has no TLS.');
      return;
    }
    yield result('tls', 'pass', 'the certificate is trusted');
  } else {
    yield result('tls', 'skip', 'not used (plain http)');
  }

  const api = new ChromaApi(target);
  const signal = options.signal;
  try {
    await api.heartbeat({ signal, timeoutMs });
    yield result('heartbeat', 'pass', '/api/v2/heartbeat answered');
  } catch (error) {
    yield heartbeatFailure(error, target, result);
    return;
  }

  try {
    const version = await api.version({ signal });
    const major = Number(String(version).split('.')[0]);
    if (major >= 1) yield result('version', 'pass', `Chroma ${version}`);
    else yield result('version', 'warn', `Chroma ${version}`, 'This is a 0.x server; chroma-migrate is tested with Chroma 1.x. Upgrading is recommended.');
  } catch (error) {
    yield result('version', 'fail', describe(error), 'The server answers the heartbeat but not /api/v2/version: it may be an old or unusual build. Upgrade to Chroma 1.x.');
    return;
  }

  try {
    const collections = await api.listCollections({ limit: 100, offset: 0 }, { signal });
    yield result('auth', 'pass', `${collections.length === 100 ? 'over 100 collections' : plural(collections.length, 'collection')} listed${target.token ? ' with the token' : ' without a token'}`);
  } catch (error) {
    const refused = error instanceof ChromaRequestError && (error.kind === 'unauthorized' || error.kind === 'forbidden');
    const header = target.tokenHeader === 'x-chroma-token' ? 'X-Chroma-Token' : 'Authorization: Bearer';
    yield result(
      'auth',
      'fail',
      refused ? `The server refused the token (${(error as ChromaRequestError).status}); it was sent as "${header}".` : describe(error),
      refused
        ? target.token
          ? `Check the token matches the one in your proxy's configuration, or try --token-header ${target.tokenHeader === 'x-chroma-token' ? 'authorization' : 'x-chroma-token'}.`
          : 'This server wants a token: pass --token (or CHROMA_AUTH_TOKEN in .env).'
        : 'Check the server\'s logs.',
    );
    return;
  }

  const loopback = isLoopbackHost(host) && !options.treatAsPublic;
  try {
    await api.listCollections({ limit: 1, offset: 0 }, { signal, anonymous: true });
    if (loopback) yield result('open', 'pass', 'allowed, which is fine on this machine only (localhost)');
    else {
      yield result(
        'open',
        'warn',
        'ANYONE CAN READ AND DELETE THIS DATABASE: it answered without a token.',
        'Chroma 1.x ignores CHROMA_SERVER_AUTHN_* settings. Put a token-checking proxy (Caddy, nginx) in front of it — see chroma-migrate deploy-guide.',
      );
    }
  } catch (error) {
    if (error instanceof ChromaRequestError && (error.kind === 'unauthorized' || error.kind === 'forbidden')) {
      yield result('open', 'pass', `refused (${error.status}), as it should be`);
    } else {
      yield result('open', 'warn', describe(error), 'Could not tell whether the server is open to anyone.');
    }
  }

  try {
    const preflight = await api.preflight({ signal });
    yield result('preflight', 'pass', `up to ${count(preflight.max_batch_size)} records per request`);
  } catch (error) {
    yield result('preflight', 'warn', describe(error), 'Imports will use batches of 100, which every server accepts.');
  }
}

export type Exposure = 'local' | 'guarded' | 'open' | 'unknown';

/**
 * Whether anyone on the internet can use this server: a non-loopback server that lists
 * collections without a token is open (Chroma 1.x has no auth of its own).
 */
export async function exposure(target: Endpoint, options: { signal?: AbortSignal; treatAsPublic?: boolean } = {}): Promise<Exposure> {
  if (isLoopbackHost(new URL(target.url).hostname) && !options.treatAsPublic) return 'local';
  try {
    await new ChromaApi(target).listCollections({ limit: 1, offset: 0 }, { signal: options.signal, anonymous: true });
    return 'open';
  } catch (error) {
    if (error instanceof ChromaRequestError && (error.kind === 'unauthorized' || error.kind === 'forbidden')) return 'guarded';
    return 'unknown';
  }
}

export const OPEN_SERVER_WARNING =
  'Anyone can read and delete this database: it answers without a token. Chroma 1.x ignores CHROMA_SERVER_AUTHN_*; put a token-checking proxy in front (chroma-migrate deploy-guide).';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function heartbeatFailure(
  error: unknown,
  target: Endpoint,
  result: (id: CheckId, status: CheckStatus, detail: string, fix?: string) => CheckResult,
): CheckResult {
  if (error instanceof ChromaRequestError) {
    if (error.kind === 'v1-only') {
      return result('heartbeat', 'fail', 'The server speaks only the old v1 API.', 'Upgrade the server to Chroma 1.x (the chromadb/chroma image\'s current tags).');
    }
    if (error.kind === 'not-found' || error.kind === 'not-chroma' || error.kind === 'bad-request') {
      return result('heartbeat', 'fail', `${target.url} answers HTTP, but not like Chroma (${error.message}).`, 'Check the URL points at the Chroma service itself, not a web app or a dashboard; an old 0.4/0.5 server speaks only /api/v1 — upgrade it.');
    }
    if (error.kind === 'unauthorized' || error.kind === 'forbidden') {
      return result('heartbeat', 'fail', `The heartbeat itself was refused (${error.status}).`, 'Your proxy guards even /api/v2/heartbeat; let it through unauthenticated, or check the token.');
    }
    if (error.kind === 'timeout') return result('heartbeat', 'fail', error.message, 'The server is slow to answer: it may still be starting. Try again in a minute.');
  }
  return result('heartbeat', 'fail', describe(error), 'Check the server\'s logs; the deployment may still be starting.');
}

function tryTcp(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (outcome: string | null) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done('timed out'));
    socket.once('connect', () => done(null));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

function tryTls(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, servername: host });
    const done = (outcome: string | null) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done('timed out'));
    socket.once('secureConnect', () => done(socket.authorized ? null : String(socket.authorizationError)));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
