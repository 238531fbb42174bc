/**
 * One call to an embeddings endpoint, in either wire shape: texts in, float32 vectors out, in
 * the order given. Failures are classified like Chroma's (retryable or not) so withRetry can
 * ride out a busy model server, and explained in words when they stop the work.
 */
import { MigrateError } from '../util/errors.js';
import { withRetry, type RetryOptions } from '../util/retry.js';
import type { EmbeddingEndpoint } from './endpoint.js';
import { sendingSecret, withoutSecret } from '../chroma/endpoint.js';
import { printable } from '../util/format.js';
import type { ProgressListener } from '../util/progress.js';

/** A failed call, retryable when waiting can fix it (network, timeout, 429, 5xx). */
class EmbeddingRequestError extends Error {
  readonly retryable: boolean;
  readonly kind: 'network' | 'timeout' | 'status' | 'answer';
  readonly status: number | null;
  readonly retryAfterMs?: number;
  constructor(kind: EmbeddingRequestError['kind'], message: string, status: number | null = null, retryAfterMs?: number) {
    super(message);
    this.name = 'EmbeddingRequestError';
    this.kind = kind;
    this.status = status;
    this.retryable = kind === 'network' || kind === 'timeout' || status === 429 || (status !== null && status >= 500);
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

function bodyFor(endpoint: EmbeddingEndpoint, texts: string[]): unknown {
  // Both shapes take a list under "input"; OpenAI's may be asked for floats explicitly (some
  // servers default to base64 when the SDK asks, never when we do not).
  return endpoint.shape === 'ollama' ? { model: endpoint.model, input: texts } : { model: endpoint.model, input: texts, encoding_format: 'float' };
}

function vectorsOf(endpoint: EmbeddingEndpoint, answer: unknown, count: number): Float32Array[] {
  let vectors: unknown[] | null = null;
  if (endpoint.shape === 'ollama') {
    const embeddings = (answer as { embeddings?: unknown } | null)?.embeddings;
    vectors = Array.isArray(embeddings) ? embeddings : null;
  } else {
    const data = (answer as { data?: unknown } | null)?.data;
    if (Array.isArray(data)) {
      // OpenAI's answer carries each item's index; servers may return them out of order.
      const items = data as Array<{ index?: unknown; embedding?: unknown }>;
      vectors = items.every((item) => typeof item?.index === 'number') ? [...items].sort((a, b) => (a.index as number) - (b.index as number)).map((item) => item.embedding) : items.map((item) => item?.embedding);
    }
  }
  if (!vectors || vectors.length !== count || !vectors.every((vector) => Array.isArray(vector) && vector.length > 0 && vector.every((x) => typeof x === 'number'))) {
    const shape = endpoint.shape === 'ollama' ? '{"embeddings": [[…], …]}' : '{"data": [{"embedding": […]}, …]}';
    throw new EmbeddingRequestError('answer', `${endpoint.postUrl} answered, but not with ${count} embeddings shaped ${shape}`);
  }
  return vectors.map((vector) => Float32Array.from(vector as number[]));
}

/** A call's signal and retries, and `onWait`: said every 15 s while one request goes unanswered, with how long it has waited. */
export interface EmbedCallOptions extends Pick<RetryOptions, 'signal' | 'onRetry'> {
  onWait?: (waitedMs: number) => void;
}

/** How often a request still unanswered is said: a model loading from disk, or a busy server, answers late. */
const WAIT_NOTE_MS = 15_000;

/** `onWait` as progress words: without them a slow model server looked like a hung command for minutes. */
export function waitingWords(endpoint: EmbeddingEndpoint, progress: ProgressListener): (waitedMs: number) => void {
  const limit = Math.round(endpoint.timeoutMs / 1000);
  return (waitedMs) =>
    progress({
      type: 'phase',
      message: `Still waiting for ${endpoint.postUrl}: ${Math.round(waitedMs / 1000)} s for one answer so far (it has ${limit} s; a model still loading, or a busy server, answers late)`,
    });
}

async function postOnce(endpoint: EmbeddingEndpoint, texts: string[], options: EmbedCallOptions): Promise<Float32Array[]> {
  return vectorsOf(endpoint, await postJson(endpoint, bodyFor(endpoint, texts), options), texts.length);
}

async function postJson(endpoint: EmbeddingEndpoint, body: unknown, { signal, onWait }: EmbedCallOptions = {}): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.apiKey) {
    headers.authorization = `Bearer ${endpoint.apiKey}`;
    sendingSecret(endpoint.apiKey);
  }
  // A query's long values may be keys (`?key=…`): no answer quoting one reaches a message. Short ones (`2024-10-21`) are versions.
  for (const value of new URLSearchParams(endpoint.query ?? '').values()) if (value.length >= 16) sendingSecret(value);
  const timeout = AbortSignal.timeout(endpoint.timeoutMs);
  const started = Date.now();
  const waiting = onWait ? setInterval(() => onWait(Date.now() - started), WAIT_NOTE_MS) : undefined;
  waiting?.unref();
  try {
    const response = await fetch(`${endpoint.postUrl}${endpoint.query ?? ''}`, { method: 'POST', headers, body: JSON.stringify(body), signal: signal ? AbortSignal.any([signal, timeout]) : timeout }).catch((error: unknown) => {
      if (signal?.aborted) throw error;
      if (timeout.aborted) throw new EmbeddingRequestError('timeout', `${endpoint.postUrl} did not answer within ${Math.round(endpoint.timeoutMs / 1000)} s`);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new EmbeddingRequestError('network', `cannot reach ${endpoint.postUrl} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
    });
    return await answerOf(endpoint, response);
  } finally {
    clearInterval(waiting);
  }
}

async function answerOf(endpoint: EmbeddingEndpoint, response: Response): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new EmbeddingRequestError('status', `${endpoint.postUrl} answered ${response.status}: ${printable(withoutSecret(text).slice(0, 300))}`, response.status, Number.isFinite(retryAfter) && response.headers.has('retry-after') ? retryAfter * 1000 : undefined);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new EmbeddingRequestError('answer', `${endpoint.postUrl} answered 200 with something that is not JSON: ${printable(withoutSecret(text).slice(0, 120))}`);
  }
}

/**
 * How an OpenAI-compatible endpoint answers `encoding_format: "base64"`, which the JS `openai`
 * package (under @chroma-core/openai) always asks for and always decodes as base64: a server
 * that ignores it and sends numbers makes that client read garbage without an error.
 * 'base64' — the answer decodes to `expected` (same vector); 'numbers' — the server ignored it;
 * 'refused' — it answered with an error; 'wrong' — something else.
 */
export type Base64Support = 'base64' | 'numbers' | 'refused' | 'wrong';

export async function probeBase64(endpoint: EmbeddingEndpoint, text: string, expected: Float32Array, signal?: AbortSignal): Promise<Base64Support> {
  let answer: unknown;
  try {
    answer = await withRetry(() => postJson(endpoint, { model: endpoint.model, input: [text], encoding_format: 'base64' }, { signal }), { signal, retries: 3 });
  } catch (error) {
    if (error instanceof EmbeddingRequestError) return 'refused';
    throw error;
  }
  const embedding = (answer as { data?: Array<{ embedding?: unknown }> } | null)?.data?.[0]?.embedding;
  if (Array.isArray(embedding)) return 'numbers';
  if (typeof embedding !== 'string') return 'wrong';
  const bytes = Buffer.from(embedding, 'base64');
  if (bytes.length !== expected.length * 4) return 'wrong';
  const decoded = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return decoded.every((value, i) => Math.abs(value - (expected[i] as number)) <= 1e-3) ? 'base64' : 'wrong';
}

/** Embeds `texts` in one request, retrying what waiting can fix. */
export async function embedTexts(endpoint: EmbeddingEndpoint, texts: string[], options: EmbedCallOptions = {}): Promise<Float32Array[]> {
  if (texts.length === 0) return [];
  try {
    return await withRetry(() => postOnce(endpoint, texts, options), { signal: options.signal, onRetry: options.onRetry, retries: 5 });
  } catch (error) {
    if (error instanceof EmbeddingRequestError) throw explainEmbeddingError(error, endpoint);
    throw error;
  }
}

function explainEmbeddingError(error: EmbeddingRequestError, endpoint: EmbeddingEndpoint): MigrateError {
  const status = error.status;
  const fix =
    status === 401 || status === 403
      ? `The endpoint refused the key: set the right one in ${endpoint.apiKeyEnvVar ?? 'an env var'} and pass --api-key-env ${endpoint.apiKeyEnvVar ?? 'VAR'}.`
      : status === 404
        ? `Nothing answers there: check --endpoint (Ollama: http://HOST:11434; vLLM, TEI, LM Studio, llama.cpp: http://HOST:PORT/v1) and that the server speaks ${endpoint.shape === 'ollama' ? 'Ollama\'s /api/embed' : 'POST /v1/embeddings'} (--api ollama|openai says which).`
        : status === 400 || status === 422
          ? `Check --model names a model the endpoint serves (it asked for "${endpoint.model}"); Ollama: ollama pull it first.`
          : status === 413
            ? 'The endpoint takes fewer texts per request: lower --batch.'
            : error.kind === 'timeout'
              ? `The embeddings server is there but answers too slowly (each request waits ${Math.round(endpoint.timeoutMs / 1000)} s): check its load, or whether the model is still loading; fewer texts per request help (reembed: --embed-batch), or a longer --timeout SECONDS. Then run the same command again.`
              : error.kind === 'network'
                ? 'Start the embeddings server (or fix --endpoint), then run the same command again.'
                : 'Check the endpoint is an embeddings server and --api says its wire shape.';
  return new MigrateError(status === 401 || status === 403 ? 'UNAUTHORIZED' : error.kind === 'network' || error.kind === 'timeout' ? 'CONNECTION' : 'SERVER', `The embeddings endpoint failed: ${error.message}.`, fix, { cause: error });
}

/** One short text, before anything else is read or written: the endpoint answers, and with what dimension. */
export async function probeEndpoint(endpoint: EmbeddingEndpoint, options: EmbedCallOptions = {}): Promise<number> {
  const [vector] = await embedTexts(endpoint, ["chroma-migrate: the endpoint's dimension"], options);
  return (vector as Float32Array).length;
}
