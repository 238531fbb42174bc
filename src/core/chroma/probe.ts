import { lookup } from 'node:dns/promises';
import { connect as tcpConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ChromaApi } from './api.js';
import { describeServer } from './capabilities.js';
import { CHROMA_IMAGE } from '../deploy/guide.js';
import { isLoopbackHost, type Endpoint } from './endpoint.js';
import { explainNetworkError } from './explain.js';
import { ChromaRequestError } from './http.js';
import { explainProblem, problemOf, type ProblemPlace } from './network-problem.js';
import { count, plural } from '../util/format.js';

type CheckId = 'dns' | 'tcp' | 'tls' | 'heartbeat' | 'version' | 'auth' | 'open' | 'preflight';
type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

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
  version: 'What the server can hold',
  auth: 'List collections',
  open: 'Access without the token',
  preflight: 'Server limits (pre-flight)',
};

type Make = (id: CheckId, status: CheckStatus, detail: string, fix?: string) => CheckResult;

const make: Make = (id, status, detail, fix) => ({ id, title: TITLES[id], status, detail, fix });

/**
 * The connection test, check by check, stopping at the first failure. Yields each result as it
 * finishes so a screen can tick them off live. Heartbeat and version never need a token, so
 * only an authenticated call proves the token works, and the same call without it tells
 * whether the database is open to anyone. A 401 or 403 on any route is about the token, and
 * says so in the same words wherever it happens.
 */
export async function* probe(target: Endpoint, options: ProbeOptions = {}): AsyncGenerator<CheckResult> {
  const url = new URL(target.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  for await (const check of reachability(url, host, target, options.timeoutMs ?? 10_000)) {
    yield check;
    if (check.status === 'fail') return;
  }
  const api = new ChromaApi(target);
  const signal = options.signal;
  try {
    await api.heartbeat({ signal, timeoutMs: options.timeoutMs ?? 10_000 });
    yield make('heartbeat', 'pass', '/api/v2/heartbeat answered');
  } catch (error) {
    yield isRefusal(error) ? tokenRefused('heartbeat', error, target) : heartbeatFailure(error, target, make);
    return;
  }
  for (const check of [versionCheck, authCheck]) {
    const result = await check(api, target, signal);
    yield result;
    if (result.status === 'fail') return;
  }
  yield await openCheck(api, isLoopbackHost(host) && !options.treatAsPublic, signal);
  yield await preflightCheck(api, signal);
}

/** DNS, TCP and (for https) TLS: whether the server can be reached at all. */
async function* reachability(url: URL, host: string, target: Endpoint, timeoutMs: number): AsyncGenerator<CheckResult> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const place: ProblemPlace = { host, port, cloud: target.cloud };
  const failure = (id: CheckId, code: string | undefined, reason?: string): CheckResult => {
    const { message, fix } = explainProblem(problemOf(code), { ...place, code, reason });
    return make(id, 'fail', message, fix);
  };
  try {
    const address = await lookup(host);
    yield make('dns', 'pass', `${host} → ${address.address}`);
  } catch (error) {
    yield failure('dns', (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND');
    return;
  }
  const tcp = await tryTcp(host, port, timeoutMs);
  if (tcp) {
    yield failure('tcp', tcp === 'timed out' ? 'ETIMEDOUT' : tcp);
    return;
  }
  yield make('tcp', 'pass', `${host}:${port} is reachable`);
  if (url.protocol !== 'https:') {
    yield make('tls', 'skip', 'not used (plain http)');
    return;
  }
  const tls = await tryTls(host, port, timeoutMs);
  yield tls ? failure('tls', tls.code, tls.reason) : make('tls', 'pass', 'the certificate is trusted');
}

async function versionCheck(api: ChromaApi, target: Endpoint, signal?: AbortSignal): Promise<CheckResult> {
  let version: string;
  try {
    // Every 1.x server answers "1.0.0" here; it still tells a 0.x server apart.
    version = String(await api.version({ signal }));
  } catch (error) {
    if (!isRefusal(error)) {
      return make('version', 'fail', describe(error), 'The server answers the heartbeat but not /api/v2/version: it may be an old or unusual build. Upgrade to Chroma 1.x.');
    }
    // A token-checking proxy guards it: without a token the next check says what to do.
    if (!target.token) return make('version', 'skip', `needs the token (${error.status})`);
    return tokenRefused('version', error, target);
  }
  if (Number(version.split('.')[0]) < 1) return make('version', 'warn', `Chroma ${version}`, 'This is a 0.x server; chroma-migrate is tested with Chroma 1.x. Upgrading is recommended.');
  const { capabilities, openapi, openapiError } = await describeServer(api, { signal });
  const holds = [capabilities.schema ? 'collection schemas (index switches, full-text settings)' : null, capabilities.arrays ? 'array metadata values' : null].filter((part) => part !== null);
  const lacks = [capabilities.schema ? null : 'collection schemas (Chroma ≥ 1.3)', capabilities.arrays ? null : 'array metadata values (Chroma ≥ 1.5)'].filter((part) => part !== null);
  const detail = `Chroma 1.x${holds.length > 0 ? `; holds ${holds.join(' and ')}` : ''}${lacks.length > 0 ? `; not ${lacks.join(' nor ')}` : ''}${openapi ? '' : ' (its /openapi.json is not served: assumed the oldest 1.x)'}`;
  if (lacks.length === 0) return make('version', 'pass', detail);
  // A proxy that refuses the token refuses this too; the authenticated call next says so.
  if (isRefusal(openapiError)) return make('version', 'pass', 'Chroma 1.x (what it can hold is read once the token is accepted)');
  if (!openapi) {
    return make('version', 'warn', detail, 'Let /openapi.json through to the server: chroma-migrate reads from it what the server can hold, and without it assumes the oldest 1.x (no schema, no array metadata).');
  }
  return make(
    'version',
    'warn',
    detail,
    `An older server: collections are created with a configuration (embedding function, space, HNSW) but no schema, and records with array metadata cannot be imported. Upgrading the server (image ${CHROMA_IMAGE}) lifts both.`,
  );
}

async function authCheck(api: ChromaApi, target: Endpoint, signal?: AbortSignal): Promise<CheckResult> {
  try {
    const collections = await api.listCollections({ limit: 100, offset: 0 }, { signal });
    return make('auth', 'pass', `${collections.length === 100 ? 'over 100 collections' : plural(collections.length, 'collection')} listed${target.token ? ' with the token' : ' without a token'}`);
  } catch (error) {
    if (isRefusal(error)) return tokenRefused('auth', error, target);
    return make('auth', 'fail', describe(error), 'Check the server\'s logs.');
  }
}

/** A 401 or 403, wherever it came: no token given, or the one given refused. */
function tokenRefused(id: CheckId, error: ChromaRequestError, target: Endpoint): CheckResult {
  if (!target.token) {
    return make(id, 'fail', `The server wants a token (${error.status}), and none was given.`, 'Pass --token, or set CHROMA_AUTH_TOKEN in .env (chroma-migrate env set does both).');
  }
  const header = target.tokenHeader === 'x-chroma-token' ? 'X-Chroma-Token' : 'Authorization: Bearer';
  const other = target.tokenHeader === 'x-chroma-token' ? 'Authorization: Bearer' : 'X-Chroma-Token';
  return make(
    id,
    'fail',
    `The server refused the token (${error.status}); it was sent as "${header}".`,
    `Check the token matches CHROMA_AUTH_TOKEN on the proxy, character for character (the proxy from chroma-migrate deploy-guide accepts either header). A proxy of your own that reads only ${other} needs --token-header ${target.tokenHeader === 'x-chroma-token' ? 'authorization' : 'x-chroma-token'}.`,
  );
}

async function openCheck(api: ChromaApi, loopback: boolean, signal?: AbortSignal): Promise<CheckResult> {
  try {
    await api.listCollections({ limit: 1, offset: 0 }, { signal, anonymous: true });
    if (loopback) return make('open', 'pass', 'allowed, which is fine on this machine only (localhost)');
    return make(
      'open',
      'warn',
      'ANYONE CAN READ AND DELETE THIS DATABASE: it answered without a token.',
      'Chroma 1.x ignores CHROMA_SERVER_AUTHN_* settings. Put a token-checking proxy (Caddy, nginx) in front of it — see chroma-migrate deploy-guide.',
    );
  } catch (error) {
    if (isRefusal(error)) return make('open', 'pass', `refused (${error.status}), as it should be`);
    return make('open', 'warn', describe(error), 'Could not tell whether the server is open to anyone.');
  }
}

async function preflightCheck(api: ChromaApi, signal?: AbortSignal): Promise<CheckResult> {
  try {
    const preflight = await api.preflight({ signal });
    return make('preflight', 'pass', `up to ${count(preflight.max_batch_size)} records per request`);
  } catch (error) {
    return make('preflight', 'warn', describe(error), 'Imports will use batches of 100, which every server accepts.');
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
    if (isRefusal(error)) return 'guarded';
    return 'unknown';
  }
}

export const OPEN_SERVER_WARNING =
  'Anyone can read and delete this database: it answers without a token. Chroma 1.x ignores CHROMA_SERVER_AUTHN_*; put a token-checking proxy in front (chroma-migrate deploy-guide).';

/** The server (or its proxy) refused the request: 401 or 403. */
function isRefusal(error: unknown): error is ChromaRequestError {
  return error instanceof ChromaRequestError && (error.kind === 'unauthorized' || error.kind === 'forbidden');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function heartbeatFailure(error: unknown, target: Endpoint, result: Make): CheckResult {
  if (error instanceof ChromaRequestError) {
    if (error.kind === 'network') {
      const { message, fix } = explainNetworkError(error, target);
      return result('heartbeat', 'fail', message, fix);
    }
    if (error.kind === 'not-chroma') {
      return result('heartbeat', 'fail', `${target.url} is ${error.message}.`, 'Check the URL points at Chroma itself (or its token-checking proxy), not a web app, a dashboard or a placeholder page.');
    }
    if (error.kind === 'v1-only') {
      return result('heartbeat', 'fail', 'The server speaks only the old v1 API.', 'Upgrade the server to Chroma 1.x (the chromadb/chroma image\'s current tags).');
    }
    if (error.kind === 'not-found' || error.kind === 'bad-request') {
      return result('heartbeat', 'fail', `${target.url} answers HTTP, but not like Chroma (${error.message}).`, 'Check the URL points at the Chroma service itself, not a web app or a dashboard; an old 0.4/0.5 server speaks only /api/v1 — upgrade it.');
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

function tryTls(host: string, port: number, timeoutMs: number): Promise<{ code?: string; reason?: string } | null> {
  return new Promise((resolve) => {
    // SNI carries host names only: an IP there is refused by RFC 6066 (and Node warns, DEP0123).
    const socket = tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }) });
    const done = (outcome: { code?: string; reason?: string } | null) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ code: 'ETIMEDOUT' }));
    socket.once('secureConnect', () => done(socket.authorized ? null : { code: String(socket.authorizationError) }));
    socket.once('error', (error: NodeJS.ErrnoException & { reason?: string }) => done({ code: error.code, reason: error.reason }));
  });
}
