import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from './prng.js';

/**
 * An HTTP proxy in front of a REAL Chroma server, for tests: it emulates Chroma Cloud's quotas,
 * a token-checking reverse proxy, and a flaky network (dropped connections, cut bodies, 5xx, 429,
 * delays), then forwards everything else untouched. Bodies stream through; a JSON request body is
 * buffered only when the Cloud quota rule has to read or rewrite it.
 */

export interface FaultRules {
  /**
   * Chroma Cloud emulation: 422 quota error body (exact Cloud wording) when a get asks for
   * limit > 300, a query for n_results > 300, or a write (add/upsert/update/delete) carries > 300
   * ids; a get WITHOUT a limit is silently cut to 300 records (the request body's limit is
   * rewritten to 300). Also answers pre-flight-checks with Cloud's max_batch_size of 1000.
   */
  cloudQuota?: boolean;
  /**
   * Require a token: `{value, header: 'authorization' (Bearer) | 'x-chroma-token'}`; wrong or
   * missing → 401 like a token-checking reverse proxy (heartbeat, version, healthcheck stay open).
   */
  token?: { value: string; header: 'authorization' | 'x-chroma-token' };
  /** Fraction of requests whose socket is destroyed before any answer. */
  dropRate?: number;
  /** Fraction of requests forwarded, whose response body is then cut halfway (socket destroyed). */
  dropMidResponseRate?: number;
  /** Fraction of requests answered 500/502/503 (chosen in turn) without forwarding. */
  status5xxRate?: number;
  /** Fraction of requests answered 429, with `Retry-After: 1` on every other one (1st, 3rd, …). */
  rateLimitRate?: number;
  /** Delay (ms) applied before forwarding to a `delayRate` fraction of requests (1 when only delayMs is set). */
  delayMs?: number;
  delayRate?: number;
  /**
   * Delay at most this many requests, then none: a timeout test that delays the first few
   * requests past the client's timeout knows that each retry goes through, so it cannot fail by
   * the same request being delayed three times in a row (which a rate allows, now and then).
   */
  maxDelays?: number;
  /** Let this many requests that would be delayed through at once first (then delay as above). */
  delaysAfter?: number;
  /**
   * Only apply the random faults to paths matching this. Default: data routes, i.e. everything
   * but heartbeat, version, healthcheck, pre-flight-checks and auth/identity.
   */
  faultPaths?: RegExp;
  /**
   * A server that stores other than it acknowledges: each POST body (parsed JSON) to a path
   * matching `paths` passes through `change` before it is forwarded, and the client still gets
   * the server's answer.
   */
  alterBody?: { paths: RegExp; change: (body: Record<string, unknown>) => Record<string, unknown> };
  /**
   * A server (or a proxy) that answers other than the server did: each 200 answer (parsed JSON) to
   * a POST whose path matches `paths` passes through `change`, told the request's body, before the
   * client gets it (e.g. every `get` answer cut to 300 records). With `method: 'GET'` it alters
   * GET answers instead (a list of collections), told the query's parameters as the request.
   */
  alterAnswer?: { method?: 'GET' | 'POST'; paths: RegExp; change: (answer: Record<string, unknown>, request: Record<string, unknown>) => Record<string, unknown> };
  /**
   * Awaited before a POST whose path matches `paths` is forwarded, told its body (parsed JSON):
   * the source changing at a chosen moment of a read. With `method: 'GET'`, before a GET instead,
   * told the query's parameters.
   */
  beforeForward?: { method?: 'GET' | 'POST'; paths: RegExp; run: (request: Record<string, unknown>) => Promise<void> };
  /** Each POST's body (as the proxy forwards it) kept in its log entry. */
  keepBodies?: boolean;
  /**
   * A lost answer: the first `times` (default 1) requests with this method whose path matches
   * are forwarded, the server does the work, and the client's connection is then destroyed
   * before any answer — what a retry of a create or a delete has to cope with.
   */
  dropAnswer?: { method: string; path: RegExp; times?: number };
  /**
   * A proxy's body limit (nginx's client_max_body_size, a platform's edge): a request body above
   * this many bytes is answered 413 "Payload too large" without being forwarded.
   */
  maxBodyBytes?: number;
  /** Seed of the deterministic PRNG behind the rates (default 1). */
  seed?: number;
}

/** Names used in `stats.injected` and `log[].fault`. */
type FaultName =
  | 'unauthorized'
  | 'quota'
  | 'quotaCap'
  | 'altered'
  | 'alteredAnswer'
  | 'preflightRewrite'
  | 'drop'
  | 'dropMidResponse'
  | 'dropAnswer'
  | 'tooLarge'
  | 'status5xx'
  | 'rateLimit'
  | 'delay'
  | 'upstreamError';

interface FaultLogEntry {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The body forwarded, with `keepBodies`. */
  body?: string;
  /** Status sent to the client; 0 when the socket was destroyed before any answer. */
  status: number;
  /** Faults applied to this request, comma-separated in the order they happened. */
  fault?: string;
  /** Names of the request headers (lower case), never their values. */
  headers: string[];
  /** When the request arrived, and when its answer ended or its socket closed (performance.now(), ms). */
  receivedAt: number;
  endedAt?: number;
}

export interface FaultProxy {
  url: string;
  port: number;
  stats: { requests: number; forwarded: number; injected: Record<string, number> };
  /** Every request seen, in arrival order. */
  log: FaultLogEntry[];
  /** Replace the rules; reseeds the PRNG and restarts the 5xx/429 rotations and the delay count. */
  setRules(rules: FaultRules): void;
  /** Zero the counters and empty the log. */
  resetStats(): void;
  /** Stop listening and destroy every open socket (client and upstream side); never hangs. */
  close(): Promise<void>;
}

const CLOUD_QUOTA_LIMIT = 300;
/** What Chroma Cloud's pre-flight-checks report (the real write limit is still 300). */
const CLOUD_PREFLIGHT_MAX_BATCH_SIZE = 1000;
const DEFAULT_FAULT_PATHS = /^\/api\/v2\/(?!(?:heartbeat|version|healthcheck|pre-flight-checks|auth\/identity)\/?$)/;
const OPEN_PATHS = /^\/api\/v[12]\/(?:heartbeat|version|healthcheck)\/?$/;
const RECORD_ROUTE = /\/api\/v2\/tenants\/[^/]+\/databases\/[^/]+\/collections\/[^/]+\/(get|query|add|upsert|update|delete)\/?$/;
const PREFLIGHT_PATH = /^\/api\/v2\/pre-flight-checks\/?$/;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const STATUS_5XX = [500, 502, 503] as const;

/** The exact wording of a Chroma Cloud quota error (rust/frontend quota QuotaExceededError). */
export function cloudQuotaMessage(usageType: string, action: string, usage: number, limit = CLOUD_QUOTA_LIMIT): string {
  return `Quota exceeded: '${usageType}' exceeded quota limit for action '${action}': current usage of ${usage} exceeds limit of ${limit}`;
}

export { seededRandom };

interface Plan {
  drop: boolean;
  dropMid: boolean;
  status5xx: boolean;
  rateLimit: boolean;
  delay: boolean;
}

/**
 * The random faults of one eligible request. Always draws five numbers, in a fixed order, so the
 * sequence depends only on the seed and the number of eligible requests. Drop, 5xx, 429 and
 * drop-mid-response exclude each other (first one wins, in that order); a delay comes on top.
 */
export function planFaults(rules: FaultRules, random: () => number): Plan {
  const [d, s, r, m, w] = [random(), random(), random(), random(), random()];
  const drop = d < (rules.dropRate ?? 0);
  const status5xx = !drop && s < (rules.status5xxRate ?? 0);
  const rateLimit = !drop && !status5xx && r < (rules.rateLimitRate ?? 0);
  const dropMid = !drop && !status5xx && !rateLimit && m < (rules.dropMidResponseRate ?? 0);
  const delayRate = rules.delayRate ?? (rules.delayMs ? 1 : 0);
  const delay = (rules.delayMs ?? 0) > 0 && w < delayRate;
  return { drop, dropMid, status5xx, rateLimit, delay };
}

function hasRandomFaults(rules: FaultRules): boolean {
  return Boolean(
    rules.dropRate || rules.dropMidResponseRate || rules.status5xxRate || rules.rateLimitRate || rules.delayMs,
  );
}

function tokenOk(headers: IncomingHttpHeaders, token: NonNullable<FaultRules['token']>): boolean {
  if (token.header === 'x-chroma-token') return headers['x-chroma-token'] === token.value;
  const auth = headers.authorization;
  if (typeof auth !== 'string') return false;
  const match = /^bearer\s+(.+)$/i.exec(auth.trim());
  return match?.[1] === token.value;
}

function forwardHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type QuotaVerdict =
  | { kind: 'pass' }
  | { kind: 'reject'; message: string }
  | { kind: 'rewrite'; body: Buffer };

/** What Chroma Cloud would do with this record-route request body. */
function cloudQuotaVerdict(action: string, raw: Buffer): QuotaVerdict {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return { kind: 'pass' }; // let the server answer its own 400
  }
  if (!isRecord(body)) return { kind: 'pass' };
  const Action = action.charAt(0).toUpperCase() + action.slice(1);
  if (action === 'get') {
    const limit = body.limit;
    if (typeof limit === 'number' && limit > CLOUD_QUOTA_LIMIT) {
      return { kind: 'reject', message: cloudQuotaMessage('Limit value', 'Get', limit) };
    }
    if (limit === undefined || limit === null) {
      return { kind: 'rewrite', body: Buffer.from(JSON.stringify({ ...body, limit: CLOUD_QUOTA_LIMIT })) };
    }
    return { kind: 'pass' };
  }
  if (action === 'query') {
    const n = body.n_results;
    if (typeof n === 'number' && n > CLOUD_QUOTA_LIMIT) {
      return { kind: 'reject', message: cloudQuotaMessage('Number of results', 'Query', n) };
    }
    return { kind: 'pass' };
  }
  const ids = body.ids;
  if (Array.isArray(ids) && ids.length > CLOUD_QUOTA_LIMIT) {
    return { kind: 'reject', message: cloudQuotaMessage('Number of records', Action, ids.length) };
  }
  return { kind: 'pass' };
}

export async function startFaultProxy(targetUrl: string, initialRules: FaultRules = {}): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  if (target.protocol !== 'http:') throw new Error(`fault proxy: only http targets are supported, got ${targetUrl}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const upstreams = new Set<http.ClientRequest>();
  const sleepers = new Set<() => void>();
  let closed = false;

  let rules: FaultRules = {};
  let random = seededRandom(1);
  let turn5xx = 0;
  let turn429 = 0;
  let delays = 0;
  let spared = 0;
  let answersDropped = 0;
  const setRules = (next: FaultRules): void => {
    rules = { ...next };
    delays = 0;
    spared = 0;
    answersDropped = 0;
    random = seededRandom(next.seed ?? 1);
    turn5xx = 0;
    turn429 = 0;
  };
  setRules(initialRules);

  const stats: FaultProxy['stats'] = { requests: 0, forwarded: 0, injected: {} };
  const log: FaultLogEntry[] = [];

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const r = rules; // the rules in force when the request arrived
    const path = new URL(req.url ?? '/', 'http://proxy.invalid').pathname;
    const entry: FaultLogEntry = { method: req.method ?? 'GET', path, status: 0, headers: Object.keys(req.headers), receivedAt: performance.now() };
    res.once('close', () => (entry.endedAt = performance.now()));
    log.push(entry);
    stats.requests++;

    const inject = (name: FaultName): void => {
      stats.injected[name] = (stats.injected[name] ?? 0) + 1;
      entry.fault = entry.fault ? `${entry.fault},${name}` : name;
    };
    const answer = (status: number, headers: Record<string, string>, body: string): void => {
      req.resume(); // drain whatever body the client sent, so keep-alive survives
      entry.status = status;
      res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    };
    const answerJson = (status: number, body: unknown, headers: Record<string, string> = {}): void =>
      answer(status, { 'content-type': 'application/json', ...headers }, JSON.stringify(body));

    if (r.token && !OPEN_PATHS.test(path) && !tokenOk(req.headers, r.token)) {
      inject('unauthorized');
      answerJson(401, { error: 'Unauthorized', message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      return;
    }

    let plan: Plan | undefined;
    const faultPaths = r.faultPaths ?? DEFAULT_FAULT_PATHS;
    faultPaths.lastIndex = 0;
    if (hasRandomFaults(r) && faultPaths.test(path)) plan = planFaults(r, random);

    const spare = plan?.delay === true && spared < (r.delaysAfter ?? 0);
    if (spare) spared++;
    if (plan?.delay && !spare && (r.maxDelays === undefined || delays < r.maxDelays)) {
      delays++;
      inject('delay');
      await sleep(r.delayMs ?? 0);
      if (closed || req.socket.destroyed) return;
    }
    if (plan?.drop) {
      inject('drop');
      req.socket.destroy();
      return;
    }
    if (plan?.status5xx) {
      inject('status5xx');
      const status = STATUS_5XX[turn5xx++ % STATUS_5XX.length] ?? 500;
      if (status === 500) {
        answerJson(500, { error: 'InternalError', message: 'Injected internal server error' });
      } else {
        const text = status === 502 ? 'Bad Gateway' : 'Service Unavailable';
        answer(status, { 'content-type': 'text/html' }, `<html><body><h1>${status} ${text}</h1></body></html>`);
      }
      return;
    }
    if (plan?.rateLimit) {
      inject('rateLimit');
      const headers: Record<string, string> = turn429++ % 2 === 0 ? { 'retry-after': '1' } : {};
      answerJson(429, { error: 'RateLimitError', message: 'Rate limit exceeded' }, headers);
      return;
    }

    let body: Buffer | undefined;
    if (r.maxBodyBytes !== undefined && req.method === 'POST') {
      try {
        body = await readBody(req);
      } catch {
        return; // the client went away
      }
      if (body.length > r.maxBodyBytes) {
        inject('tooLarge');
        answer(413, { 'content-type': 'text/plain' }, 'Payload too large');
        return;
      }
    }
    const route = req.method === 'POST' ? RECORD_ROUTE.exec(path) : null;
    if (r.cloudQuota && route?.[1]) {
      try {
        body ??= await readBody(req);
      } catch {
        return; // the client went away
      }
      const verdict = cloudQuotaVerdict(route[1], body);
      if (verdict.kind === 'reject') {
        inject('quota');
        answerJson(422, { error: 'ChromaError', message: verdict.message });
        return;
      }
      if (verdict.kind === 'rewrite') {
        inject('quotaCap');
        body = verdict.body;
      }
    }
    if (r.keepBodies && req.method === 'POST') {
      try {
        body ??= await readBody(req);
      } catch {
        return; // the client went away
      }
      entry.body = body.toString('utf8');
    }
    if (r.alterBody && req.method === 'POST' && r.alterBody.paths.test(path)) {
      try {
        body ??= await readBody(req);
      } catch {
        return; // the client went away
      }
      inject('altered');
      body = Buffer.from(JSON.stringify(r.alterBody.change(JSON.parse(body.toString('utf8')) as Record<string, unknown>)));
    }
    const alterAnswer = r.alterAnswer && req.method === (r.alterAnswer.method ?? 'POST') && r.alterAnswer.paths.test(path) ? r.alterAnswer : undefined;
    const hook = r.beforeForward && req.method === (r.beforeForward.method ?? 'POST') && r.beforeForward.paths.test(path) ? r.beforeForward : undefined;
    let request: Record<string, unknown> = {};
    if ((alterAnswer || hook) && req.method === 'GET') {
      request = Object.fromEntries(new URL(req.url ?? '/', 'http://proxy.invalid').searchParams);
    } else if (alterAnswer || hook) {
      try {
        body ??= await readBody(req);
      } catch {
        return; // the client went away
      }
      request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    }
    if (hook) await hook.run(request);
    const answerChange = alterAnswer && ((answer: Record<string, unknown>) => alterAnswer.change(answer, request));
    const rewritePreflight = Boolean(r.cloudQuota) && req.method === 'GET' && PREFLIGHT_PATH.test(path);
    const lose = r.dropAnswer;
    const dropAnswer = lose !== undefined && req.method === lose.method && lose.path.test(path) && answersDropped < (lose.times ?? 1);
    if (dropAnswer) answersDropped++;
    forward(req, res, entry, inject, body, { dropMid: Boolean(plan?.dropMid), rewritePreflight, dropAnswer, answerChange });
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    entry: FaultLogEntry,
    inject: (name: FaultName) => void,
    body: Buffer | undefined,
    options: { dropMid: boolean; rewritePreflight: boolean; dropAnswer: boolean; answerChange?: (answer: Record<string, unknown>) => Record<string, unknown> },
  ): void {
    const headers = forwardHeaders(req.headers);
    headers.host = target.host;
    if (body) {
      headers['content-length'] = String(body.length);
    }
    const upstream = http.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      agent,
    });
    stats.forwarded++;
    upstreams.add(upstream);
    upstream.once('close', () => upstreams.delete(upstream));
    // The client went away before the answer was complete: stop the upstream request too.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });

    upstream.on('error', () => {
      if (closed || res.destroyed) return;
      if (!res.headersSent) {
        inject('upstreamError');
        entry.status = 502;
        const text = JSON.stringify({ error: 'BadGateway', message: 'fault proxy: upstream request failed' });
        res.writeHead(502, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
      } else {
        res.destroy();
      }
    });

    upstream.on('response', (up) => {
      const status = up.statusCode ?? 502;
      const outHeaders = forwardHeaders(up.headers);
      if (options.dropAnswer) {
        // The server has answered, so it did the work; the client never hears of it.
        readBody(up).then(
          () => {
            inject('dropAnswer');
            res.socket?.destroy();
          },
          () => res.destroy(),
        );
        return;
      }
      if (!options.dropMid && !options.rewritePreflight && !options.answerChange) {
        entry.status = status;
        res.writeHead(status, outHeaders);
        up.pipe(res);
        up.once('error', () => res.destroy());
        return;
      }
      readBody(up).then(
        (full) => {
          if (res.destroyed) return;
          let payload = full;
          if (options.answerChange && status === 200) {
            payload = Buffer.from(JSON.stringify(options.answerChange(JSON.parse(full.toString('utf8')) as Record<string, unknown>)));
            inject('alteredAnswer');
          }
          if (options.rewritePreflight && status === 200) {
            try {
              const parsed: unknown = JSON.parse(full.toString('utf8'));
              if (isRecord(parsed) && 'max_batch_size' in parsed) {
                payload = Buffer.from(JSON.stringify({ ...parsed, max_batch_size: CLOUD_PREFLIGHT_MAX_BATCH_SIZE }));
                inject('preflightRewrite');
              }
            } catch {
              // not JSON: pass it on as it is
            }
          }
          outHeaders['content-length'] = String(payload.length);
          entry.status = status;
          res.writeHead(status, outHeaders);
          if (!options.dropMid) {
            res.end(payload);
            return;
          }
          inject('dropMidResponse');
          const half = payload.subarray(0, Math.floor(payload.length / 2));
          res.flushHeaders();
          res.write(half, () => res.socket?.destroy());
          if (half.length === 0) res.socket?.destroy();
        },
        () => res.destroy(),
      );
    });

    if (body) upstream.end(body);
    else req.pipe(upstream);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('fault proxy error');
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    log,
    setRules,
    resetStats() {
      stats.requests = 0;
      stats.forwarded = 0;
      for (const key of Object.keys(stats.injected)) delete stats.injected[key];
      log.length = 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const wake of [...sleepers]) wake();
      for (const upstream of upstreams) upstream.destroy();
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await stopped;
    },
  };
}
