import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { connect as tlsConnect } from 'node:tls';
import { stringifyTyped } from '../model/typed-json.js';
import { BytePool } from '../util/byte-pool.js';
import { sendingSecret, withoutSecret, type Endpoint } from './endpoint.js';
import { printable } from '../util/format.js';
import { isRetryableProblem, problemOf, type NetworkProblem } from './network-problem.js';

export type RequestErrorKind =
  | 'network'
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'quota'
  | 'rate-limit'
  | 'server'
  | 'bad-request'
  | 'v1-only'
  | 'not-chroma';

/** One failed HTTP call to Chroma, classified so callers decide: retry, explain, or stop. */
export class ChromaRequestError extends Error {
  readonly kind: RequestErrorKind;
  readonly status: number | null;
  readonly retryAfterMs: number | null;
  /** For kind 'network': what went wrong, with Node's code and reason (see network-problem.ts). */
  readonly network: { problem: NetworkProblem; code?: string; reason?: string } | undefined;

  constructor(
    kind: RequestErrorKind,
    message: string,
    status: number | null,
    retryAfterMs: number | null = null,
    network?: { problem: NetworkProblem; code?: string; reason?: string },
  ) {
    super(message);
    this.name = 'ChromaRequestError';
    this.kind = kind;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.network = network;
  }

  /** A certificate, a name that does not resolve or the wrong protocol stay wrong: no retry. */
  get retryable(): boolean {
    if (this.kind === 'network') return isRetryableProblem(this.network?.problem ?? 'other');
    return this.kind === 'timeout' || this.kind === 'rate-limit' || this.kind === 'server';
  }
}

/**
 * A request body already written as JSON, in parts that are never joined: an upsert of 1,000
 * 384-d records is ~2 MB of text, and as one string it is allocated where V8 keeps large
 * objects, in the old generation, whose growth starts full (mark-compact) collections.
 */
export class JsonParts {
  constructor(readonly parts: readonly string[]) {}
}

export interface RequestOptions {
  /** JSON.stringify'd (numbers keep their type, see stringifyTyped), or JsonParts sent as they are. */
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Leave the token off: used to detect a server open to anyone. */
  anonymous?: boolean;
  /** A faster reader for a successful answer's bytes; when it returns null, JSON.parse reads them. */
  read?: (body: Buffer) => unknown;
}

/**
 * A batch of 1,000 384-d records is ~2 MB and takes a local server under a second; 60 s leaves
 * room for a slow uplink to a remote server while a hung one is noticed (see withRetry).
 */
const DEFAULT_TIMEOUT_MS = 60_000;

/** Drops a leading byte-order mark, as response.text() does (Buffer's toString keeps it). */
const UTF8 = new TextDecoder();

function authHeaders(target: Endpoint): Record<string, string> {
  if (!target.token) return {};
  sendingSecret(target.token);
  return target.tokenHeader === 'x-chroma-token'
    ? { 'x-chroma-token': target.token }
    : { authorization: `Bearer ${target.token}` };
}

export async function chromaRequest<T>(
  target: Endpoint,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (!options.anonymous) Object.assign(headers, authHeaders(target));
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  let response: Answer;
  try {
    response = await exchange(new URL(path, target.url), {
      method,
      headers,
      // Metadata numbers keep their type on the wire: 2.0 goes as a float (values/json.ts).
      body: options.body === undefined ? undefined : options.body instanceof JsonParts ? options.body.parts : [stringifyTyped(options.body)],
      signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    if (timeout.aborted) {
      throw new ChromaRequestError('timeout', `${method} ${path} got no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`, null);
    }
    throw await networkError(method, path, target.url, error);
  }
  try {
    return readAnswer<T>(method, path, response, options.read);
  } finally {
    // Every reader copies what it keeps (strings, float32 slices): the bytes are free again.
    if (response.lease) ANSWERS.give(response.lease);
  }
}

function readAnswer<T>(method: string, path: string, response: Answer, read: RequestOptions['read']): T {
  const body = response.body;
  if (response.ok) {
    // A fault in the reader is ours, not the server's: it surfaces as itself.
    const parsed = read?.(body) ?? null;
    if (parsed !== null) return parsed as T;
    const text = UTF8.decode(body);
    // Chroma answers every read with JSON; an empty page is a proxy or a placeholder app.
    if (text === '' && method !== 'GET') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw notChroma(method, path, response.status, text);
    }
  }
  const text = withoutSecret(UTF8.decode(body));
  // Go's (so Caddy's) answer to plain HTTP on a TLS port.
  if (response.status === 400 && /HTTP request to an HTTPS server/i.test(text)) {
    throw new ChromaRequestError('network', `${method} ${path}: the port speaks HTTPS`, null, null, { problem: 'plain-on-tls' });
  }
  throw classify(method, path, response, text);
}

/** "not a Chroma server (something else answered: …)", quoting the start of what did. */
export function notChroma(method: string, path: string, status: number, answer: string): ChromaRequestError {
  const text = withoutSecret(answer);
  const quoted = text.trim() === '' ? 'an empty page' : `"${printable(text.replace(/\s+/g, ' ').trim().slice(0, 80))}${text.length > 80 ? '…' : ''}"`;
  return new ChromaRequestError('not-chroma', `not a Chroma server (something else answered ${method} ${path} with ${status}: ${quoted})`, status);
}

async function networkError(method: string, path: string, base: string, error: unknown): Promise<ChromaRequestError> {
  const cause = (error as { cause?: { code?: string; message?: string; reason?: string } }).cause;
  const code = cause?.code;
  const reason = cause?.reason ?? cause?.message;
  let problem = problemOf(code);
  const url = new URL(base);
  // A TLS listener drops a plain HTTP request without a word: ask it for a handshake to tell.
  if (problem === 'reset' && url.protocol === 'http:' && (await speaksTls(url))) problem = 'plain-on-tls';
  return new ChromaRequestError('network', `${method} ${path} failed: ${code ?? reason ?? (error as Error).message ?? String(error)}`, null, null, { problem, code, reason });
}

function speaksTls(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), rejectUnauthorized: false });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(3_000, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function serverMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown; detail?: unknown };
    const message = parsed.message ?? parsed.detail ?? parsed.error;
    if (typeof message === 'string') return message;
  } catch {
    // fall through: not JSON
  }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

function retryAfter(response: Answer): number | null {
  const header = response.headers.get('retry-after');
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function classify(method: string, path: string, response: Answer, text: string): ChromaRequestError {
  const status = response.status;
  const message = printable(serverMessage(text));
  const where = `${method} ${path} → ${status}`;
  if (status === 410 && /v1 API is deprecated/i.test(text)) return new ChromaRequestError('v1-only', `${where}: ${message}`, status);
  if (status === 401) return new ChromaRequestError('unauthorized', `${where}: ${message || 'unauthorized'}`, status);
  if (status === 403) return new ChromaRequestError('forbidden', `${where}: ${message || 'forbidden'}`, status);
  if (status === 404) {
    if (/<html|cannot (get|post)/i.test(text)) return notChroma(method, path, status, text);
    return new ChromaRequestError('not-found', `${where}: ${message}`, status);
  }
  if (status === 409) return new ChromaRequestError('conflict', `${where}: ${message}`, status);
  if (status === 422 && /quota/i.test(text)) return new ChromaRequestError('quota', `${where}: ${message}`, status);
  if (status === 429) return new ChromaRequestError('rate-limit', `${where}: ${message || 'rate limited'}`, status, retryAfter(response));
  if (status >= 500) return new ChromaRequestError('server', `${where}: ${message}`, status, retryAfter(response));
  return new ChromaRequestError('bad-request', `${where}: ${message}`, status);
}

// ── the transport ──

/**
 * One HTTP exchange with a Chroma server over node:http(s), the answer's bytes whole.
 *
 * Not fetch: its web streams cost the client more CPU than the rest of a page's handling.
 * Measured on this project's 2-core machine (a 300-record page of 384-d embeddings, 1.3 MB,
 * from a local server; 20 requests, 3 rounds, load average 18): fetch 13.7–29.6 ms of client
 * CPU per page, node:http 7.2–8.6 ms. A copy moves each record about four times (its page, the
 * upsert, the read-back), so this is most of what a client spends per record beyond parsing.
 *
 * What fetch did that callers rely on is kept: keep-alive connections, compressed answers
 * (asked for, and unpacked), a connect that gives up (as undici's 10 s connect timeout did),
 * and failures that carry Node's code in `cause` (network-problem.ts reads it).
 */

interface Answer {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  body: Buffer;
  /** The pooled buffer `body` lies in, given back once the answer is read; null when it has its own. */
  lease: Buffer | null;
}

/**
 * Answers of 256 KB and up (a page of records, a read-back) are received into reused buffers
 * (util/byte-pool.ts). Four kept cover the reads in flight of a copy (source pages, read-backs).
 */
const ANSWERS = new BytePool(256 * 1024, 64 * 1024 * 1024, 4);
/** Request bodies of 256 KB and up: the upserts, two or more in flight. */
const BODIES = new BytePool(256 * 1024, 64 * 1024 * 1024, 4);

interface Exchange {
  method: string;
  headers: Record<string, string>;
  /** The body's text, in parts written one after another. */
  body?: readonly string[];
  signal: AbortSignal;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

const quietSockets = new WeakSet<object>();

/** A host that never answers the connect is unreachable, not slow: fail it like fetch did. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Rejects like fetch: an Error whose `cause` is Node's error (its code, its reason). */
function exchange(url: URL, request: Exchange): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const { payload, lease } = payloadOf(request.body);
    const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...request.headers };
    if (payload) headers['content-length'] = String(payload.length);
    const fail = (cause: unknown) => reject(Object.assign(new Error(`${request.method} ${url.pathname} failed`), { cause: withSslCode(cause) }));
    const req = (secure ? https : http).request(url, { method: request.method, headers, agent: agents[secure ? 'https:' : 'http:'], signal: request.signal }, (res) => {
      collect(res).then(({ raw, lease }) => {
        try {
          resolve(answer(res, raw, lease));
        } catch (error) {
          if (lease) ANSWERS.give(lease);
          fail(error);
        }
      }, fail);
    });
    // Every error, not only the first: a server that answers early (413 to a large body) and
    // closes can make the body's write fail again (EPIPE) after the first error.
    req.on('error', fail);
    req.once('socket', (socket) => {
      // A body still being written when the server answered early and closed fails with EPIPE
      // on the socket after the request has its answer: the request has reported what matters.
      if (!quietSockets.has(socket)) {
        quietSockets.add(socket);
        socket.on('error', () => undefined);
      }
      if (!socket.connecting) return;
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`connect to ${url.host} timed out`), { code: 'ETIMEDOUT' })), CONNECT_TIMEOUT_MS);
      timer.unref();
      socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    // Written out (handed to the kernel) once 'finish' comes; a request that fails before leaves its buffer to the GC.
    if (lease) req.once('finish', () => BODIES.give(lease));
    req.end(payload);
  });
}

/** A request body as bytes: large ones (an upsert of 1,000 records is ~2 MB) into a pooled buffer. */
function payloadOf(parts: readonly string[] | undefined): { payload: Buffer | undefined; lease: Buffer | null } {
  if (parts === undefined) return { payload: undefined, lease: null };
  let size = 0;
  for (const part of parts) size += Buffer.byteLength(part, 'utf8');
  const pooled = BODIES.fits(size);
  const lease = pooled ? BODIES.take(size) : Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of parts) at += lease.write(part, at, 'utf8');
  return { payload: lease.subarray(0, at), lease: pooled ? lease : null };
}

/** The answer's bytes: into a pooled buffer when its length is declared and large (see ANSWERS). */
function collect(res: IncomingMessage): Promise<{ raw: Buffer; lease: Buffer | null }> {
  const declared = Number(res.headers['content-length'] ?? Number.NaN);
  let lease = Number.isSafeInteger(declared) && ANSWERS.fits(declared) ? ANSWERS.take(declared) : null;
  let filled = 0;
  const chunks: Buffer[] = [];
  const unlease = () => {
    if (lease) ANSWERS.give(lease);
    lease = null;
  };
  return new Promise((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      if (lease && filled + chunk.length <= declared) {
        chunk.copy(lease, filled);
        filled += chunk.length;
        return;
      }
      if (lease) {
        // More than declared: keep every byte the ordinary way (the parser below judges them).
        chunks.push(Buffer.from(lease.subarray(0, filled)));
        unlease();
      }
      chunks.push(chunk);
    });
    res.once('end', () => {
      if (lease) {
        const whole = lease;
        // The caller gives it back from here: a late error event must not.
        lease = null;
        if (filled === declared) return resolve({ raw: whole.subarray(0, filled), lease: whole });
        ANSWERS.give(whole);
        return reject(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
      }
      resolve({ raw: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), lease: null });
    });
    res.once('error', (error) => {
      unlease();
      reject(error);
    });
    // A connection cut mid-answer ends the message early: never take half a page for a whole one.
    res.once('aborted', () => {
      unlease();
      reject(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
    });
  });
}

function answer(res: IncomingMessage, raw: Buffer, lease: Buffer | null): Answer {
  const status = res.statusCode ?? 0;
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const unpack = encoding === 'gzip' || encoding === 'x-gzip' ? gunzipSync : encoding === 'deflate' ? inflateSync : encoding === 'br' ? brotliDecompressSync : null;
  if (!unpack) return answerOf(res, status, raw, lease);
  const body = unpack(raw);
  // The unpacked bytes are a buffer of their own: the packed ones are done with.
  if (lease) ANSWERS.give(lease);
  return answerOf(res, status, body, null);
}

function answerOf(res: IncomingMessage, status: number, body: Buffer, lease: Buffer | null): Answer {
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: {
      get: (name) => {
        const value = res.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    body,
    lease,
  };
}

/**
 * A TLS failure while the request is written comes as EPROTO with OpenSSL's words in the message
 * (fetch, which connects first, got ERR_SSL_WRONG_VERSION_NUMBER and a reason): give it the code
 * and reason the handshake would have, as network-problem.ts knows them.
 */
function withSslCode(cause: unknown): unknown {
  const error = cause as { code?: unknown; message?: unknown } | null;
  if (error?.code !== 'EPROTO' || typeof error.message !== 'string') return cause;
  const reason = /SSL routines:[^:]*:([^:]+):/.exec(error.message)?.[1];
  return reason ? { code: `ERR_SSL_${reason.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`, reason, message: error.message } : cause;
}
