/**
 * The Chroma embedding function that talks to an endpoint, as Chroma's EF registry spells it
 * (schemas/embedding_functions/<name>.json; clients/new-js/packages/ai-embeddings/<name>):
 * - `ollama` `{url, model_name, timeout}`: Python's build_from_config insists on `timeout`
 *   (a config without it fails at the first embed); JS ignores it. `url` is the bare host: JS
 *   appends /api/embed to whatever it is given.
 * - `openai` `{api_key_env_var, model_name, api_base}`: `api_key_env_var` is required, and the
 *   OpenAI clients refuse to start without a key, so a keyless endpoint still names one (any value).
 * The server validates none of this (it stores whatever it is sent), so it is built here, exactly.
 */
import type { CollectionJson } from '../model/record.js';
import type { EmbeddingEndpoint } from './endpoint.js';

/** Python's default for ollama's timeout, in seconds. */
const OLLAMA_TIMEOUT_S = 60;
/** What the OpenAI clients read when a config names nothing else. */
const OPENAI_DEFAULT_KEY_VAR = 'OPENAI_API_KEY';

export interface EmbeddingFunctionJson extends CollectionJson {
  type: 'known';
  name: 'ollama' | 'openai';
  config: CollectionJson;
}

export function embeddingFunctionFor(endpoint: EmbeddingEndpoint): EmbeddingFunctionJson {
  if (endpoint.shape === 'ollama') {
    return { type: 'known', name: 'ollama', config: { url: endpoint.base, model_name: endpoint.model, timeout: OLLAMA_TIMEOUT_S } };
  }
  return {
    type: 'known',
    name: 'openai',
    config: { api_key_env_var: endpoint.apiKeyEnvVar ?? OPENAI_DEFAULT_KEY_VAR, model_name: endpoint.model, api_base: endpoint.base },
  };
}
