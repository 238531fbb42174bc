import { describe, expect, it } from 'vitest';
import { withholdSecrets } from '../../../src/core/backup/secrets.js';
import { WholeFloat } from '../../../src/core/model/values.js';

describe('only credentials are withheld, each by its path', () => {
  it('keeps every key that merely contains "token", and typed numbers as they are', () => {
    const bm25 = { type: 'known', name: 'chroma_bm25', config: { avg_doc_length: new WholeFloat(256), include_tokens: true, token_max_length: 40 } };
    const custom = { f: new WholeFloat(2), big: 9007199254740993n, tokenizer: 'x', max_tokens: 8 };
    const schema = { keys: { token_count: { int: { int_inverted_index: { enabled: false, config: {} } } } } };
    const value = { embedding_function: bm25, custom, schema };
    expect(withholdSecrets(value)).toEqual({ value, paths: [] });
    expect((withholdSecrets(value).value as typeof value).custom.f).toBeInstanceOf(WholeFloat);
  });

  it('withholds api_key, password, token, Authorization and a key pasted into *_env_var, naming each', () => {
    const config = { api_key: 'sk-1', password: 'p', token: 't', headers: { Authorization: 'Bearer x' }, api_key_env_var: 'sk-proj-AbC', model_name: 'm' };
    expect(withholdSecrets({ embedding_function: { config } }, 'configuration')).toEqual({
      value: { embedding_function: { config: { headers: {}, model_name: 'm' } } },
      paths: [
        'configuration.embedding_function.config.api_key',
        'configuration.embedding_function.config.password',
        'configuration.embedding_function.config.token',
        'configuration.embedding_function.config.headers.Authorization',
        'configuration.embedding_function.config.api_key_env_var',
      ],
    });
  });
});
