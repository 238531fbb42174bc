/**
 * An embeddings endpoint the user runs: where its POST goes, which wire shape it speaks, and the
 * Chroma embedding function (name and config, as Chroma's own EF registry spells them) that an
 * app's client builds to reach it. The key itself lives here in memory only: the config names
 * the env var, never the key.
 */
import { refuseCleartext, type Env } from '../chroma/connection.js';
import { MigrateError } from '../util/errors.js';
import { inQuotes } from '../util/format.js';
import { maskedQuery } from '../chroma/url.js';

/** OpenAI-compatible `POST /v1/embeddings` (vLLM, TEI, LM Studio, llama.cpp, OpenAI) or Ollama `POST /api/embed`. */
type WireShape = 'openai' | 'ollama';

export interface EmbeddingEndpoint {
  shape: WireShape;
  /** The whole URL the POST goes to. */
  postUrl: string;
  /**
   * What the app's embedding function is given: Ollama's host (`http://host:11434`), or the
   * OpenAI SDK's base URL (`http://host:8000/v1`).
   */
  base: string;
  model: string;
  apiKey?: string;
  /** The env var the key comes from, recorded in the collection's EF config. */
  apiKeyEnvVar?: string;
  /**
   * The query the user's URL carried (`?api-version=…`, `?key=…`), sent with every request and,
   * as the key, held in memory only: never in `postUrl` (printed), `base` (saved in the
   * collection's EF config) or a message.
   */
  query?: string;
  /** What was made of the URL that the user should know, in words (its query, masked). */
  notes: string[];
  timeoutMs: number;
}

export interface EndpointInput {
  url: string;
  model: string;
  shape?: WireShape;
  apiKeyEnvVar?: string;
  timeoutMs?: number;
  /** Send the key over plain http to another machine anyway (--insecure), as for a Chroma token. */
  insecure?: boolean;
}

/** Ollama listens here unless told otherwise. */
const OLLAMA_PORT = '11434';
/** An embedding of a few thousand short texts takes seconds; a model loading from disk, longer. */
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * The wire shape from the URL when it says (`…/api/embed`, `…/v1`, Ollama's port), else the one
 * asked for, else OpenAI's (what most servers speak).
 */
export function resolveEmbeddingEndpoint(input: EndpointInput, env: Env): EmbeddingEndpoint {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(input.url.trim())?.[1];
  if (scheme && !/^https?$/i.test(scheme)) {
    throw new MigrateError('USAGE', `--endpoint ${inQuotes(input.url)} uses ${scheme}://; an embeddings server speaks http or https.`, 'Give its http:// or https:// address, e.g. http://localhost:11434 (Ollama) or http://localhost:8000/v1 (vLLM, TEI).');
  }
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(input.url) ? input.url : `http://${input.url}`);
  } catch {
    throw new MigrateError('BAD_INPUT', `--endpoint "${input.url}" is not a URL.`, 'Give the embeddings server\'s address, e.g. http://localhost:11434 (Ollama) or http://localhost:8000/v1 (vLLM, TEI).');
  }
  if (input.model.trim() === '') throw new MigrateError('BAD_INPUT', '--model is empty.', 'Name the model the endpoint serves, e.g. qwen3-embedding:0.6b (Ollama) or Qwen/Qwen3-Embedding-0.6B.');
  const path = url.pathname.replace(/\/+$/, '');
  const shape = input.shape ?? (/\/api(\/embed)?$/.test(path) || (path === '' && url.port === OLLAMA_PORT) ? 'ollama' : 'openai');
  const origin = url.origin;
  const apiKey = input.apiKeyEnvVar ? env[input.apiKeyEnvVar] : undefined;
  if (input.apiKeyEnvVar && !apiKey) {
    // The command line names something that is not there: a usage error, before anything is read.
    throw new MigrateError('USAGE', `--api-key-env ${input.apiKeyEnvVar} names an env var that is not set.`, `Set ${input.apiKeyEnvVar} in the environment or .env (its value is never printed or saved), or leave --api-key-env out for an endpoint without a key.`);
  }
  if (apiKey) refuseCleartext(url.origin, 'the API key', input.insecure === true, 'Use the endpoint\'s https:// address');
  const common = { model: input.model, apiKeyEnvVar: input.apiKeyEnvVar, timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(apiKey ? { apiKey } : {}), ...queryOf(url, shape) };
  if (shape === 'ollama') {
    const prefix = path.replace(/\/api(\/embed)?$/, '');
    return { shape, postUrl: `${origin}${prefix}/api/embed`, base: `${origin}${prefix}`, ...common };
  }
  const prefix = path.replace(/\/embeddings$/, '');
  const base = /\/v1$/.test(prefix) ? `${origin}${prefix}` : `${origin}${prefix}/v1`;
  return { shape, postUrl: `${base}/embeddings`, base, ...common };
}

/**
 * An endpoint may answer only with its query (Azure OpenAI's `?api-version=`): dropping it made
 * every request fail with no word why. It is kept for the requests and said, masked; the
 * collection's EF config gets no query (one may carry a key, and Chroma's embedding functions
 * add their own path to `api_base`/`url`), so an app that needs it adds it to its own client.
 */
function queryOf(url: URL, shape: WireShape): { query?: string; notes: string[] } {
  if (url.search.length <= 1) return { notes: [] };
  const field = shape === 'ollama' ? 'url' : 'api_base';
  return {
    query: url.search,
    notes: [`--endpoint's query ${maskedQuery(url.search)} is sent with every request, but not saved in the collection's embedding function (its ${field} holds no query: one may carry a key): an app whose endpoint needs it adds it to its own client.`],
  };
}

/** What may be shown of an endpoint: never the key. */
export function describeEmbeddingEndpoint(endpoint: EmbeddingEndpoint): string {
  const key = endpoint.apiKeyEnvVar ? `, key from ${endpoint.apiKeyEnvVar}` : '';
  return `${endpoint.postUrl} (${endpoint.shape === 'ollama' ? 'Ollama' : 'OpenAI-compatible'}, model ${endpoint.model}${key})`;
}
