/**
 * The proof is exact: floats compared as f64 bits in record and collection metadata, embedding
 * function configs and schema values; the collection's settings read and written typed (2.0
 * stays 2.0, 9007199254740993 stays exact); nothing withheld from them but credentials.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { COLLECTIONS_PATH, rawChroma, useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';

const CUSTOM_EF = '{"type":"known","name":"custom_x","config":{"f":2.0,"big":9007199254740993,"tokenizer":"x","max_tokens":8}}';
const BM25 = { type: 'known', name: 'chroma_bm25', config: { k: 1.2, b: 0.75, avg_doc_length: 256.5, include_tokens: true, token_max_length: 40 } };

let dir = '';
const { source, target } = useTwoServers();
const backup = () => join(dir, 'backup.jsonl');

function records(prefix: string): BackupRecord[] {
  return Array.from({ length: 30 }, (_, i) => ({
    id: `${prefix}-${i}`,
    document: `doc ${i}`,
    metadata: { x: 1e-300, pi: Math.PI, q: 3.25, i },
    embedding: [i / 30, 1 - i / 30, 0.5, (i % 7) / 7],
    uri: null,
  }));
}

beforeAll(async () => {
  dir = await makeTempDir();
  const url = source.server.url;
  const api = new ChromaApi(endpoint({ url }));
  // Raw text: the only way to send 2.0 and 9007199254740993 as the server keeps them.
  await rawChroma(url, 'POST', COLLECTIONS_PATH, `{"name":"custom_ef","metadata":{"tiny":1e-300,"label":"a"},"configuration":{"hnsw":{"space":"cosine"},"embedding_function":${CUSTOM_EF}}}`);
  const base = JSON.parse(await rawChroma(url, 'POST', COLLECTIONS_PATH, '{"name":"schema_base","configuration":{"hnsw":{"space":"l2"}}}')) as { schema: { keys: Record<string, unknown> } };
  const schema = base.schema;
  schema.keys.token_count = { int: { int_inverted_index: { enabled: false, config: {} } } };
  schema.keys.sparse = { sparse_vector: { sparse_vector_index: { enabled: false, config: { embedding_function: BM25, source_key: '#document', bm25: true } } } };
  await rawChroma(url, 'POST', COLLECTIONS_PATH, JSON.stringify({ name: 'bm25_schema', schema }).replace('"avg_doc_length":256.5', '"avg_doc_length":256.0'));
  await rawChroma(url, 'DELETE', `${COLLECTIONS_PATH}/schema_base`);
  await api.createCollection({ name: 'plain', metadata: null, space: 'l2' });
  for (const name of ['custom_ef', 'bm25_schema', 'plain']) {
    const info = (await api.findCollection(name))!;
    await api.upsert(info.id, records(name), { base64: true });
  }
}, 300_000);
afterAll(async () => {
  await removeDir(dir);
});

const RAW_PIECES = ['"f":2.0', '"big":9007199254740993', '"tokenizer":"x"', '"max_tokens":8', '"avg_doc_length":256.0', '"include_tokens":true', '"token_max_length":40', '"token_count":{"int":{"int_inverted_index":{"enabled":false'];

describe('round trips keep the collection raw', () => {
  it('bm25, a custom EF and a schema key token_count survive export and import exactly, and verify', async () => {
    const exported = await runCli(['export', '--all', '--source-url', source.server.url, '--out', backup(), '--json']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout).withheld).toEqual([]);
    const text = await readFile(backup(), 'utf8');
    for (const piece of RAW_PIECES) expect(text, piece).toContain(piece);

    const imported = await runCli(['import', '--input', backup(), '--url', target.server.url, '--if-exists', 'abort']);
    expect(imported.stderr).not.toMatch(/TypeError|Unexpected/);
    expect(imported.code).toBe(0);
    const onTarget = (await rawChroma(target.server.url, 'GET', `${COLLECTIONS_PATH}/custom_ef`)) + (await rawChroma(target.server.url, 'GET', `${COLLECTIONS_PATH}/bm25_schema`));
    for (const piece of RAW_PIECES) expect(onTarget, piece).toContain(piece);

    const verified = await runCli(['verify', '--input', backup(), '--url', target.server.url]);
    expect(verified.stderr).toContain('✓ custom_ef');
    expect(verified.code).toBe(0);
  }, 300_000);
});

describe('each tampering is caught, named, exit 1', () => {
  const api = () => new ChromaApi(endpoint({ url: target.server.url }));
  // Each tampering is run through verify from the file and from the live source: the same words, the same exit code.
  const verify = async (collection: string) => {
    const fromFile = await runCli(['verify', '--input', backup(), '--url', target.server.url, '--collection', collection]);
    const fromSource = await runCli(['verify', '--source-url', source.server.url, '--url', target.server.url, '--collections', collection]);
    expect(fromSource.code, fromSource.stderr).toBe(fromFile.code);
    return { code: fromFile.code, stderr: `${fromFile.stderr}\n--- from the source ---\n${fromSource.stderr}` };
  };

  it('record metadata: 1e-300 → 3e-300, π → float32(π), 3.25 → 3.2500001', async () => {
    const info = (await api().findCollection('plain'))!;
    const originals = records('plain');
    const changed = originals.slice(0, 3).map((record, index) => ({
      ...record,
      metadata: { ...record.metadata, ...[{ x: 3e-300 }, { pi: Math.fround(Math.PI) }, { q: 3.2500001 }][index] },
    }));
    await api().upsert(info.id, changed, { base64: true });
    const run = await verify('plain');
    expect(run.code).toBe(1);
    // The server's JSON parser (serde_json without float_roundtrip) stores 3e-300 one f64 step off.
    // Each value said with the side that holds it: the file's words name the backup, the live check's the source.
    for (const reference of ['the backup', 'the source']) {
      expect(run.stderr).toMatch(new RegExp(`plain-0 \\(metadata\\.x: ${reference} has float 1e-300, the target float (3e-300|2\\.9999999999999996e-300)\\)`));
      expect(run.stderr).toContain(`plain-1 (metadata.pi: ${reference} has float ${Math.PI}, the target float ${Math.fround(Math.PI)})`);
      expect(run.stderr).toContain(`plain-2 (metadata.q: ${reference} has float 3.25, the target float 3.2500001)`);
    }
    await api().upsert(info.id, originals.slice(0, 3), { base64: true });
    expect((await verify('plain')).code).toBe(0);
  }, 120_000);

  it('collection metadata: 1e-300 → 2e-300', async () => {
    const info = (await api().findCollection('custom_ef'))!;
    await rawChroma(target.server.url, 'PUT', `${COLLECTIONS_PATH}/${info.id}`, '{"new_metadata":{"tiny":2e-300,"label":"a"}}');
    const run = await verify('custom_ef');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('metadata.tiny: expected float 1e-300, the target has float 2e-300');
    await rawChroma(target.server.url, 'PUT', `${COLLECTIONS_PATH}/${info.id}`, '{"new_metadata":{"tiny":1e-300,"label":"a"}}');
    expect((await verify('custom_ef')).code).toBe(0);
  }, 120_000);

  it('num_threads changed on the target', async () => {
    const info = (await api().findCollection('bm25_schema'))!;
    await rawChroma(target.server.url, 'PUT', `${COLLECTIONS_PATH}/${info.id}`, '{"new_configuration":{"hnsw":{"num_threads":7}}}');
    const run = await verify('bm25_schema');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/schema\.keys\.#embedding\.float_list\.vector_index\.config\.hnsw\.num_threads: expected int \d+, the target has int 7/);
  }, 120_000);

  it('an embedding function added on the target', async () => {
    const info = (await api().findCollection('plain'))!;
    await api().updateConfiguration(info.id, { embedding_function: { type: 'known', name: 'openai', config: { api_key_env_var: 'OPENAI_API_KEY', model_name: 'text-embedding-3-small' } } });
    const run = await verify('plain');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('embedding_function: expected none, the target has openai (text-embedding-3-small)');
  }, 120_000);
});
