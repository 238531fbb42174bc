import { MigrateError, type ErrorCode } from '../util/errors.js';
import { withRetry, type RetryableFailure, type RetryOptions } from '../util/retry.js';
import { describeEndpoint, type Endpoint } from './endpoint.js';
import { ChromaRequestError } from './http.js';
import { explainProblem, type Explained } from './network-problem.js';

/** A failed connection (kind 'network') in words, naming the host and port of the target. */
export function explainNetworkError(error: ChromaRequestError, target: Endpoint): Explained {
  const url = new URL(target.url);
  return explainProblem(error.network?.problem ?? 'other', {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    cloud: target.cloud,
    source: target.source,
    code: error.network?.code,
    reason: error.network?.reason,
  });
}

/**
 * Turns a failed request into words and a fix, following the guide's troubleshooting.
 * Anything that is not a request error passes through untouched.
 */
export function explainRequestError(error: unknown, target: Endpoint): unknown {
  if (!(error instanceof ChromaRequestError)) return error;
  const where = describeEndpoint(target);
  const header = target.tokenHeader === 'x-chroma-token' ? 'X-Chroma-Token' : 'Authorization: Bearer';
  const make = (code: ErrorCode, message: string, fix: string) => new MigrateError(code, message, fix, { cause: error });
  switch (error.kind) {
    case 'network': {
      const { message, fix } = explainNetworkError(error, target);
      return make('CONNECTION', message, fix);
    }
    case 'timeout':
      return make(
        'CONNECTION',
        `${where} did not answer in time: ${error.message}.`,
        target.cloud
          ? 'Chroma Cloud may be slow right now: run the same command again, it continues where it stopped. Lower --concurrency to be gentler.'
          : 'The server may be overloaded, asleep or hung: check it answers (chroma-migrate ping), then run the same command again: it continues where it stopped. Lower --batch and --concurrency for a slow server.',
      );
    case 'unauthorized':
    case 'forbidden':
      return make(
        'UNAUTHORIZED',
        `${where} refused the request (${error.status}).`,
        target.token
          ? `The token was sent as "${header}". Check that it matches the one your proxy expects, or try --token-header ${target.tokenHeader === 'x-chroma-token' ? 'authorization' : 'x-chroma-token'}.`
          : 'This server wants a token: pass --token (or set CHROMA_AUTH_TOKEN in .env).',
      );
    case 'quota':
      return make(
        'QUOTA',
        `Chroma Cloud refused the request for exceeding a quota: ${error.message}.`,
        'Cloud allows 300 records per read or write; chroma-migrate pages within that. If you passed --page-size or --batch above 300, lower it.',
      );
    case 'rate-limit':
      return make('SERVER', `${where} kept rate-limiting (429) after several retries.`, 'Wait a minute and run the same command again: it continues where it stopped. Lower --concurrency to be gentler.');
    case 'server':
      return make('SERVER', `${where} kept failing: ${error.message}.`, 'Check the server\'s logs and disk space, then run the same command again: it continues where it stopped.');
    case 'v1-only':
      return make('CONNECTION', `${where} speaks only the old v1 API: ${error.message}.`, 'It is a Chroma 0.4/0.5 server: upgrade it to Chroma 1.x.');
    case 'not-chroma':
      return make('CONNECTION', `${where} is ${error.message}.`, 'Check the URL points at Chroma itself (or at its token-checking proxy), not at a web app, a dashboard or a placeholder page.');
    case 'not-found':
      return make('NOT_FOUND', `${where}: ${error.message}.`, 'Check the collection, tenant and database names, and whether another program (another run, your app) deleted the collection meanwhile.');
    case 'conflict':
      return make('EXISTS', `${where}: ${error.message}.`, 'Choose what to do with the existing collection with --if-exists.');
    case 'bad-request':
      // A read sends no records: its refusal is about the server or a proxy in front, not the data.
      if (error.message.startsWith('GET ')) return make('BAD_INPUT', `${where} rejected the request: ${error.message}.`, 'A request that sends no data was refused: check the URL points at Chroma 1.x (or its token-checking proxy) and that the token is right; the answer above says more.');
      return make('BAD_INPUT', `${where} rejected the request: ${error.message}.`, 'The record or collection breaks one of Chroma\'s rules; the message above names it.');
  }
}

/** Servers that answered in this process (any HTTP answer, an error status too), by origin. */
const answered = new Set<string>();

/**
 * withRetry for a call to one server, where a refused connection to a server that never answered
 * in this run fails after two quick tries: nothing listening there is not a blip, and waiting a
 * dozen seconds to say so reads as a hang. Once it has answered, a refusal (a restart) is retried
 * as any other dropped connection.
 */
export function withServerRetry<T>(server: Endpoint, work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const origin = new URL(server.url).origin;
  let refusals = 0;
  const isRetryable = (error: unknown): error is RetryableFailure => {
    const failure = error as Partial<RetryableFailure> | null;
    if (!(options.isRetryable ? options.isRetryable(error) : error instanceof Error && failure?.retryable === true)) return false;
    const refused = error instanceof ChromaRequestError && error.network?.problem === 'refused';
    return !(refused && !answered.has(origin) && ++refusals >= 2);
  };
  const noted = async () => {
    try {
      const result = await work();
      answered.add(origin);
      return result;
    } catch (error) {
      if (error instanceof ChromaRequestError && error.kind !== 'network' && error.kind !== 'timeout') answered.add(origin);
      throw error;
    }
  };
  return withRetry(noted, { ...options, isRetryable });
}

/** withServerRetry, with the failure that remains put in words for this endpoint (explainRequestError). */
export function retryExplained<T>(target: Endpoint, work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return withServerRetry(target, work, options).catch((error: unknown) => {
    throw explainRequestError(error, target);
  });
}

/**
 * A server that cannot be reached, as retryExplained words it: no connection (refused, DNS, a
 * timeout, not Chroma at that address any more), a server that keeps failing (5xx, 429), or a
 * key refused (401, 403: revoked). Not a refusal of what was asked (a name not found, a quota).
 */
export function isUnreachable(error: unknown): error is MigrateError {
  return error instanceof MigrateError && (error.code === 'CONNECTION' || error.code === 'SERVER' || error.code === 'UNAUTHORIZED');
}
