import { describe, expect, it } from 'vitest';
import { withoutSecrets } from '../../../src/core/backup/secrets.js';
import type { CollectionHeader } from '../../../src/core/model/record.js';
import { capabilitiesOf, type OpenApiDoc } from '../../../src/core/chroma/capabilities.js';
import { appNeeds, describeAppNeeds } from '../../../src/core/collection/app-needs.js';
import { planCollection, spaceUnknown } from '../../../src/core/collection/plan.js';
import { WholeFloat } from '../../../src/core/model/values.js';

const OPENAI_EF = { type: 'known', name: 'openai', config: { api_key_env_var: 'OPENAI_API_KEY', model_name: 'text-embedding-3-small' } };
const OLD_SERVER = { capabilities: { schema: false, arrays: false, strictKeys: false, embeddingFunctionTypes: ['legacy', 'known'] }, openapi: null };
const NEW_SERVER = { capabilities: { schema: true, arrays: true, strictKeys: true, embeddingFunctionTypes: ['legacy', 'known', 'unknown'] }, openapi: null };

function header(patch: Partial<CollectionHeader>): CollectionHeader {
  return { name: 'docs', metadata: null, space: null, count: 0, dimension: null, ...patch };
}

describe('secrets never land in a backup, but the env var an embedding function names does', () => {
  it('keeps api_key_env_var while it holds a variable name', () => {
    expect(withoutSecrets({ embedding_function: OPENAI_EF })).toEqual({ embedding_function: OPENAI_EF });
  });

  it('drops a key pasted where the variable name belongs, and every other secret-named field', () => {
    const config = { api_key_env_var: 'sk-proj-AbC123', api_key: 'sk-live', token: 't', model_name: 'm' };
    expect(withoutSecrets({ config })).toEqual({ config: { model_name: 'm' } });
  });

  it('drops a key of upper case and digits alone, and keeps names of words joined by "_"', () => {
    for (const key of ['AKIAIOSFODNN7EXAMPLE42XYZ', 'A1B2C3D4E5F6G7H8I9J0K1L2_M3N4O5P6Q7R8S9T0U1V2W3X4']) {
      expect(withoutSecrets({ pasted: { api_key_env_var: key } })).toEqual({ pasted: {} });
    }
    for (const name of ['OPENAI_API_KEY', 'HF_TOKEN', 'CHROMA_GOOGLE_GENAI_API_KEY', 'VOYAGE', 'APP__OPENAI_KEY', 'OPENAI_API_KEY_2']) {
      expect(withoutSecrets({ config: { api_key_env_var: name } })).toEqual({ config: { api_key_env_var: name } });
    }
  });
});

describe('what the app needs for its embedding function', () => {
  it('openai: the env var its config names and the @chroma-core package', () => {
    expect(appNeeds(OPENAI_EF)).toEqual({ name: 'openai', envVars: ['OPENAI_API_KEY'], jsPackage: '@chroma-core/openai', cloudHosted: false });
  });

  it('a Chroma-hosted function still needs the Cloud key, and says so', () => {
    const needs = appNeeds({ type: 'known', name: 'chroma-cloud-qwen', config: {} })!;
    expect(needs).toMatchObject({ envVars: ['CHROMA_API_KEY'], cloudHosted: true });
    expect(describeAppNeeds('"docs"', needs).join(' ')).toContain('queries still call Chroma Cloud with your Cloud key');
  });

  it('nothing for a legacy or absent function', () => {
    expect(appNeeds({ type: 'legacy' })).toBeNull();
    expect(appNeeds(null)).toBeNull();
  });
});

describe('planning a collection for a target', () => {
  it('a SPANN configuration becomes HNSW with the same space, EF and ef_search; the rest is named', () => {
    const plan = planCollection(
      header({ space: 'cosine', configuration: { spann: { space: 'cosine', search_nprobe: 64, ef_search: 120 }, embedding_function: OPENAI_EF } }),
      OLD_SERVER,
    );
    expect(plan.request.configuration).toEqual({ hnsw: { space: 'cosine', ef_search: 120 }, embedding_function: OPENAI_EF });
    expect(plan.request.schema).toBeUndefined();
    expect(plan.leftOut.map((item) => item.field)).toEqual(['spann.search_nprobe']);
  });

  it('a schema server gets the schema and never a configuration next to it; legacy metadata keys are not sent', () => {
    const schema = { defaults: {}, keys: { '#embedding': { float_list: { vector_index: { enabled: true, config: { space: 'ip', embedding_function: OPENAI_EF } } } } } };
    const plan = planCollection(header({ metadata: { 'hnsw:space': 'ip', team: 'x' }, schema }), NEW_SERVER);
    expect(plan.carries).toBe('schema');
    expect(plan.request.configuration).toBeUndefined();
    expect(plan.request.metadata).toEqual({ team: 'x' });
    expect(plan.intended).toMatchObject({ space: 'ip', embeddingFunction: OPENAI_EF, switches: { 'keys.#embedding.float_list.vector_index': true } });
  });

  it('to Chroma Cloud, SPANN and CMEK are sent as they are: Cloud holds them', () => {
    const spann = { space: 'cosine', search_nprobe: 64 };
    const config = planCollection(header({ configuration: { spann, embedding_function: OPENAI_EF } }), OLD_SERVER, { cloud: true });
    expect(config.request.configuration).toEqual({ spann, embedding_function: OPENAI_EF });
    expect(config.leftOut).toEqual([]);
    const schema = { defaults: {}, keys: {}, cmek: { gcp: 'projects/p/locations/l/keyRings/r/cryptoKeys/k' } };
    expect(planCollection(header({ schema }), NEW_SERVER, { cloud: true }).request.schema).toEqual(schema);
  });

  it('a backup that does not say its space gets the chosen one, and says it did not say', () => {
    const bare = header({});
    expect(spaceUnknown(bare)).toBe(true);
    expect(planCollection(bare, OLD_SERVER, { space: 'cosine' }).request.configuration).toEqual({ hnsw: { space: 'cosine' } });
    expect(spaceUnknown(header({ metadata: { 'hnsw:space': 'l2' } }))).toBe(false);
  });

  it('legacy "hnsw:*" metadata read typed (1.0 a WholeFloat) travels as plain configuration numbers', () => {
    const plan = planCollection(header({ metadata: { 'hnsw:space': 'ip', 'hnsw:resize_factor': new WholeFloat(1), 'hnsw:M': 32 } }), OLD_SERVER);
    expect(plan.request.configuration).toEqual({ hnsw: { space: 'ip', resize_factor: 1, max_neighbors: 32 } });
  });
});

describe('server capabilities from its OpenAPI document', () => {
  const map = (arrays: boolean) => ({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, ...(arrays ? [{ type: 'array', items: { type: 'string' } }] : [])] },
  });
  const doc = (schema: boolean, arrays: boolean): OpenApiDoc => ({
    components: {
      schemas: {
        HashMap: map(arrays),
        CreateCollectionPayload: { type: 'object', properties: { name: { type: 'string' }, ...(schema ? { schema: { oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/Schema' }] } } : {}) } },
        UpsertCollectionRecordsPayload: { type: 'object', properties: { metadatas: { type: ['array', 'null'], items: { oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/HashMap' }] } } } },
      },
    },
  });

  it('1.0.x: neither; 1.3–1.4: schema; 1.5+: both', () => {
    expect(capabilitiesOf(doc(false, false))).toMatchObject({ schema: false, arrays: false, strictKeys: false });
    expect(capabilitiesOf(doc(true, false))).toMatchObject({ schema: true, arrays: false, strictKeys: true });
    expect(capabilitiesOf(doc(true, true))).toMatchObject({ schema: true, arrays: true, strictKeys: true });
  });
});
