import { describe, expect, it } from 'vitest';
import { embeddingFunctionFor } from '../../../src/core/embeddings/ef-config.js';
import { resolveEmbeddingEndpoint } from '../../../src/core/embeddings/endpoint.js';

const resolve = (url: string, extra: Partial<Parameters<typeof resolveEmbeddingEndpoint>[0]> = {}, env = {}) => resolveEmbeddingEndpoint({ url, model: 'm', ...extra }, env);

describe('an embeddings endpoint from --endpoint, --api and --api-key-env', () => {
  it('Ollama by its port or path; the EF gets the bare host (JS appends /api/embed itself) and a timeout (Python requires it)', () => {
    for (const url of ['http://gpu:11434', 'http://gpu:11434/', 'http://gpu:11434/api/embed', 'gpu:11434']) {
      const endpoint = resolve(url);
      expect(endpoint.shape).toBe('ollama');
      expect(endpoint.postUrl).toBe('http://gpu:11434/api/embed');
      expect(embeddingFunctionFor(endpoint)).toEqual({ type: 'known', name: 'ollama', config: { url: 'http://gpu:11434', model_name: 'm', timeout: 60 } });
    }
    expect(resolve('http://gpu:9000', { shape: 'ollama' }).postUrl).toBe('http://gpu:9000/api/embed');
  });

  it('OpenAI-compatible otherwise: api_base ends in /v1, the key by its env var name only', () => {
    for (const url of ['http://gpu:8000', 'http://gpu:8000/v1', 'http://gpu:8000/v1/', 'http://gpu:8000/v1/embeddings']) {
      // A GPU box on a private network: its key over plain http only with --insecure.
      const endpoint = resolve(url, { apiKeyEnvVar: 'VLLM_KEY', insecure: true }, { VLLM_KEY: 'sk-1' });
      expect(endpoint.shape).toBe('openai');
      expect(endpoint.postUrl).toBe('http://gpu:8000/v1/embeddings');
      expect(endpoint.apiKey).toBe('sk-1');
      expect(embeddingFunctionFor(endpoint)).toEqual({ type: 'known', name: 'openai', config: { api_key_env_var: 'VLLM_KEY', model_name: 'm', api_base: 'http://gpu:8000/v1' } });
    }
    // A keyless endpoint still names a variable: the OpenAI clients refuse to start without a key.
    expect(embeddingFunctionFor(resolve('http://gpu:8000/v1')).config.api_key_env_var).toBe('OPENAI_API_KEY');
  });

  it('refuses what cannot work: no model, an unset key variable, not a URL', () => {
    expect(() => resolve('http://gpu:8000', { model: ' ' })).toThrow(/--model is empty/);
    expect(() => resolve('http://gpu:8000', { apiKeyEnvVar: 'NOPE' })).toThrow(/NOPE names an env var that is not set/);
    expect(() => resolve('http://[bad')).toThrow(/is not a URL/);
    expect(() => resolve('ftp://gpu:8000')).toThrow(/uses ftp:\/\/; an embeddings server speaks http or https/);
  });

  it('sends a key over plain http only to this machine, as for a Chroma token; elsewhere with --insecure, or https', () => {
    const key = { apiKeyEnvVar: 'K' };
    expect(() => resolve('http://gpu:8000/v1', key, { K: 'sk-1' })).toThrow(/Refusing to send the API key to http:\/\/gpu:8000 over plain http/);
    for (const url of ['http://localhost:11434', 'http://127.0.0.1:8000/v1', 'http://[::1]:8000/v1', 'https://gpu:8000/v1']) expect(resolve(url, key, { K: 'sk-1' }).apiKey).toBe('sk-1');
    expect(resolve('http://gpu:8000/v1', { ...key, insecure: true }, { K: 'sk-1' }).apiKey).toBe('sk-1');
    // No key, nothing to refuse.
    expect(resolve('http://gpu:8000/v1').apiKey).toBeUndefined();
  });
});
