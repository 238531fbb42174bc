import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from './prng.js';

/**
 * An embeddings server for tests, standing in for Ollama, vLLM, TEI or OpenAI: it speaks both
 * wire shapes (OpenAI-compatible `POST /v1/embeddings` and Ollama `POST /api/embed`) and returns
 * deterministic vectors, a seeded hash of the text normalised to length 1. Two seeds are two
 * "models": a collection built with one is reproduced by it and not by the other. No model weights.
 */
export interface EmbeddingsServerOptions {
  /** The "model" served: vectors are `modelVector(seed, text, dim)`. */
  seed: number;
  dim?: number;
  /** Answer 413 to a request with more inputs than this (a real server's batch limit). */
  maxInputs?: number;
  /** Require `Authorization: Bearer KEY` (OpenAI shape only). */
  apiKey?: string;
  /** Every n-th request answers 429 first (the client must retry). */
  rateLimitEvery?: number;
  /** Answer `encoding_format: "base64"` with numbers anyway, as some OpenAI-compatible servers do. */
  ignoreBase64?: boolean;
  /** Milliseconds added to each answer, so that a kill lands mid-run. */
  delayMs?: number;
  /** Answer 404 unless the request's query is exactly this, as Azure OpenAI does without its `?api-version=`. */
  query?: string;
  /** The address to listen on (default 127.0.0.1): another of this machine's, to be a host that is not loopback. */
  host?: string;
}

export interface EmbeddingsServer {
  url: string;
  stats: { requests: number; texts: number; maxInFlight: number; rateLimited: number; models: Set<string> };
  close(): Promise<void>;
}

/** FNV-1a of the seed and the text: the PRNG's seed for this text's vector. */
function hashText(seed: number, text: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The served function, float32 as a server stores it: the same text always gives the same vector. */
export function modelVector(seed: number, text: string, dim = 32): number[] {
  const random = seededRandom(hashText(seed, text));
  const raw = Array.from({ length: dim }, () => random() * 2 - 1);
  const norm = Math.hypot(...raw);
  return raw.map((value) => Math.fround(value / norm));
}

function inputsOf(body: unknown): string[] | null {
  const input = (body as { input?: unknown } | null)?.input;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((item) => typeof item === 'string')) return input as string[];
  return null;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export async function startEmbeddingsServer(options: EmbeddingsServerOptions): Promise<EmbeddingsServer> {
  const dim = options.dim ?? 32;
  const stats = { requests: 0, texts: 0, maxInFlight: 0, rateLimited: 0, models: new Set<string>() };
  let inFlight = 0;
  const sockets = new Set<Socket>();

  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const { pathname: path, search } = new URL(request.url ?? '/', 'http://x');
    if (options.query !== undefined && search !== options.query) return send(response, 404, { error: 'Resource not found' });
    const shape = path === '/v1/embeddings' ? 'openai' : path === '/api/embed' ? 'ollama' : null;
    if (request.method !== 'POST' || !shape) return send(response, 404, { error: `no route ${request.method} ${path}` });
    stats.requests++;
    if (options.rateLimitEvery && stats.requests % options.rateLimitEvery === 0) {
      stats.rateLimited++;
      return send(response, 429, { error: 'rate limited' }, { 'retry-after': '0' });
    }
    if (shape === 'openai' && options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(response, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(response, 400, { error: 'body is not JSON' });
    }
    const texts = inputsOf(body);
    const model = (body as { model?: unknown }).model;
    if (!texts || typeof model !== 'string') return send(response, 400, { error: 'needs model and input' });
    if (options.maxInputs && texts.length > options.maxInputs) return send(response, 413, { error: `at most ${options.maxInputs} inputs per request` });
    stats.models.add(model);
    stats.texts += texts.length;
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const vectors = texts.map((text) => modelVector(options.seed, text, dim));
    if (shape === 'ollama') return send(response, 200, { model, embeddings: vectors, total_duration: 1, load_duration: 0, prompt_eval_count: texts.length });
    const base64 = (body as { encoding_format?: unknown }).encoding_format === 'base64' && !options.ignoreBase64;
    const encode = (vector: number[]) => (base64 ? Buffer.from(Float32Array.from(vector).buffer).toString('base64') : vector);
    return send(response, 200, {
      object: 'list',
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding: encode(embedding) })),
      model,
      usage: { prompt_tokens: texts.length, total_tokens: texts.length },
    });
  };

  const server = http.createServer((request, response) => {
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    answer(request, response)
      .catch((error: unknown) => send(response, 500, { error: String(error) }))
      .finally(() => inFlight--);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stats,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
