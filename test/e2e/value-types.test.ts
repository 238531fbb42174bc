/**
 * Every metadata value type Chroma has, end to end against a real server: export → backup →
 * import under another name → verify, and the raw values read back type for type.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupWriter } from '../../src/core/backup/jsonl/writer.js';
import { inspectBackup } from '../../src/core/backup/read.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { copyCollections } from '../../src/core/operations/copy.js';
import { exportCollections } from '../../src/core/operations/export.js';
import { importBackup } from '../../src/core/operations/import.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { parseTyped } from '../../src/core/model/typed-json.js';
import { WholeFloat } from '../../src/core/model/values.js';
import { expectMigrateError } from '../helpers/backup.js';
import { COLLECTIONS_PATH, rawChroma, useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';

const chroma = useChromaServer();
const old = useChromaServer({ release: 'old' });
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-values-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = COLLECTIONS_PATH;
const raw = (method: string, path: string, body?: string, url = chroma.url) => rawChroma(url, method, path, body);

/** The shape the OpenAI embedding function persists; tuned HNSW; cosine. */
const CONFIGURATION = {
  hnsw: { space: 'cosine', ef_construction: 200, max_neighbors: 32 },
  embedding_function: { type: 'known', name: 'openai', config: { api_key_env_var: 'OPENAI_API_KEY', model_name: 'text-embedding-3-small' } },
};

async function createWithRecords(name: string, recordsJson: string, url = chroma.url): Promise<string> {
  const created = JSON.parse(await raw('POST', base, JSON.stringify({ name, configuration: CONFIGURATION }), url)) as { id: string };
  await raw('POST', `${base}/${created.id}/add`, recordsJson, url);
  return created.id;
}

/** The metadatas of a collection as the server holds them, by id, with number types. */
async function metadatasOf(name: string, url = chroma.url): Promise<Record<string, unknown>> {
  const { id } = JSON.parse(await raw('GET', `${base}/${name}`, undefined, url)) as { id: string };
  const page = parseTyped(await raw('POST', `${base}/${id}/get`, JSON.stringify({ include: ['metadatas', 'documents'] }), url)) as {
    ids: string[];
    metadatas: unknown[];
    documents: unknown[];
  };
  return Object.fromEntries(page.ids.map((key, i) => [key, { metadata: page.metadatas[i], document: page.documents[i] }]));
}

const TYPED_RECORDS = `{
  "ids": ["a", "b", "c"],
  "embeddings": [[1.0, 0.0, 0.5], [0.0, 1.0, 0.25], [0.5, 0.5, 3.0]],
  "documents": ["first", null, "third"],
  "metadatas": [
    {"whole_float": 2.0, "int": 2, "big": 9007199254740993, "float": 0.5, "flag": true, "text": "2.0"},
    {"tags": ["x", "y"], "ints": [1, 2, 9007199254740993], "floats": [1.0, 2.5], "flags": [true, false]},
    null
  ]
}`;

describe('every value type, end to end against a real server', () => {
  it('exports, imports under another name and verifies with 2.0, 2, 9007199254740993, lists and a null document, type for type', async () => {
    await createWithRecords('typed_source', TYPED_RECORDS);
    const source = endpoint({ url: chroma.url });
    const out = join(dir, 'typed.jsonl');
    const statePath = join(dir, 'state.json');
    await exportCollections({ source, out, collections: ['typed_source'], statePath });

    const text = await readFile(out, 'utf8');
    expect(text).toContain('"whole_float":2.0');
    expect(text).toContain('"big":9007199254740993');
    expect(text).toContain('"floats":[1.0,2.5]');
    const summary = await inspectBackup(out);
    expect(summary.typedNumbers).toBe(true);
    expect(summary.collections[0]).toMatchObject({ listKeys: { tags: 1, ints: 1, floats: 1, flags: 1 } });

    await importBackup({ input: out, target: source, collections: ['typed_source'], renameTo: 'typed_copy', ifExists: 'abort', statePath });
    const verdict = await verifyBackup({ input: out, target: source, collections: ['typed_source'], renameTo: 'typed_copy' });
    expect(verdict.collections[0]).toMatchObject({ ok: true, differing: 0, missing: 0 });

    const [before, after] = [await metadatasOf('typed_source'), await metadatasOf('typed_copy')];
    expect(after).toEqual(before);
    const configurationOf = async (name: string) => (JSON.parse(await raw('GET', `${base}/${name}`)) as { configuration_json: unknown }).configuration_json;
    expect(await configurationOf('typed_copy')).toEqual(await configurationOf('typed_source'));
    expect(await configurationOf('typed_copy')).toMatchObject(CONFIGURATION);
    expect(after.a).toEqual({
      metadata: { whole_float: new WholeFloat(2), int: 2, big: 9007199254740993n, float: 0.5, flag: true, text: '2.0' },
      document: 'first',
    });
    expect((after.b as { metadata: unknown }).metadata).toEqual({
      tags: ['x', 'y'],
      ints: [1, 2, 9007199254740993n],
      floats: [new WholeFloat(1), 2.5],
      flags: [true, false],
    });
    expect((after.b as { document: unknown }).document).toBeNull();
  });

  it('a guide-shaped JSON (as Python json.dump writes it) with 2.0 and lists imports with the float still a float', async () => {
    const input = join(dir, 'guide.json');
    await writeFile(
      input,
      `{"ids": ["g1", "g2"], "embeddings": [[0.1, 0.2], [0.3, 1e-05]], "documents": ["one", "two"],
        "metadatas": [{"score": 2.0, "n": 9007199254740993, "tags": ["a", "b"]}, {"score": 2.5, "n": 3}],
        "metadata": {"hnsw:space": "l2"}}`,
    );
    const statePath = join(dir, 'state-guide.json');
    const target = endpoint({ url: chroma.url });
    await importBackup({ input, target, renameTo: 'guide_copy', ifExists: 'abort', statePath });
    const stored = await metadatasOf('guide_copy');
    expect(stored.g1).toMatchObject({ metadata: { score: new WholeFloat(2), n: 9007199254740993n, tags: ['a', 'b'] } });
    expect((await verifyBackup({ input, target, renameTo: 'guide_copy' })).ok).toBe(true);

    // Rows, key by key, the same.
    const rows = join(dir, 'rows.json');
    await writeFile(rows, `{"collection_name": "rows_copy", "records": [{"id": "r1", "metadata": {"score": 2.0, "big": 9007199254740993}, "embedding": [0.5, 1e-05], "document": null}]}`);
    await importBackup({ input: rows, target, ifExists: 'abort', space: 'l2', statePath });
    expect((await metadatasOf('rows_copy')).r1).toEqual({ metadata: { score: new WholeFloat(2), big: 9007199254740993n }, document: null });
  });

  it('verify fails, naming the key, when a float became an int on the target', async () => {
    const input = join(dir, 'guide-float.json');
    await writeFile(input, `{"ids": ["f1"], "embeddings": [[0.1, 0.2]], "metadatas": [{"score": 2.0}], "metadata": {"hnsw:space": "l2"}}`);
    const target = endpoint({ url: chroma.url });
    await importBackup({ input, target, renameTo: 'float_lost', ifExists: 'abort', statePath: join(dir, 'state-f.json') });
    const { id } = JSON.parse(await raw('GET', `${base}/float_lost`)) as { id: string };
    await raw('POST', `${base}/${id}/upsert`, '{"ids":["f1"],"embeddings":[[0.1,0.2]],"metadatas":[{"score":2}]}');
    const verdict = await verifyBackup({ input, target, renameTo: 'float_lost' });
    expect(verdict.ok).toBe(false);
    expect(verdict.collections[0]?.differingIds).toEqual([{ id: 'f1', fields: ['metadata.score: the backup has float 2.0, the target int 2'] }]);
  });
});

describe('the oldest 1.x still deployed (bindings 1.0.1: no lists)', () => {
  it('carries 2.0, 2 and 9007199254740993 type for type, with the EF and HNSW settings', async () => {
    const scalars = `{"ids": ["a", "b"], "embeddings": [[1.0, 0.0, 0.5], [0.0, 1.0, 0.25]], "documents": ["first", null],
      "metadatas": [{"whole_float": 2.0, "int": 2, "big": 9007199254740993, "float": 0.5, "flag": true}, null]}`;
    await createWithRecords('old_source', scalars, old.url);
    const source = endpoint({ url: old.url });
    const out = join(dir, 'old.jsonl');
    const statePath = join(dir, 'state-old.json');
    await exportCollections({ source, out, collections: ['old_source'], statePath });
    await importBackup({ input: out, target: source, collections: ['old_source'], renameTo: 'old_copy', ifExists: 'abort', statePath });
    expect((await verifyBackup({ input: out, target: source, collections: ['old_source'], renameTo: 'old_copy' })).collections[0]).toMatchObject({ ok: true });
    expect((await metadatasOf('old_copy', old.url)).a).toEqual({
      metadata: { whole_float: new WholeFloat(2), int: 2, big: 9007199254740993n, float: 0.5, flag: true },
      document: 'first',
    });
    const configurationOf = async (name: string) => (JSON.parse(await raw('GET', `${base}/${name}`, undefined, old.url)) as { configuration_json: unknown }).configuration_json;
    expect(await configurationOf('old_copy')).toEqual(await configurationOf('old_source'));
    expect(await configurationOf('old_copy')).toMatchObject(CONFIGURATION);
  });

  it('refuses a backup with lists up front, naming the key, the count and the server\'s limit; nothing is written', async () => {
    const input = join(dir, 'lists.json');
    await writeFile(input, `{"ids": ["l1", "l2"], "embeddings": [[0.1, 0.2], [0.3, 0.4]], "metadatas": [{"tags": ["a", "b"]}, {"tags": ["c"]}]}`);
    const target = endpoint({ url: old.url });
    await expectMigrateError(
      importBackup({ input, target, renameTo: 'lists_copy', ifExists: 'abort', space: 'l2', statePath: join(dir, 'state-lists.json') }),
      'CANNOT_HOLD',
      /holds lists in metadata "tags" \(2 records\), but the target server is older than Chroma 1\.5 and cannot store lists\. Nothing was written\./,
    );
    expect(await new ChromaApi(target).findCollection('lists_copy')).toBeNull();
  });

  it('a copy stops at the first page holding lists, before sending it, naming the key and the server\'s limit', async () => {
    await createWithRecords('lists_source', `{"ids": ["l1", "l2", "l3"], "embeddings": [[0.1, 0.2, 0.3], [0.3, 0.4, 0.5], [0.5, 0.6, 0.7]], "metadatas": [{"n": 1}, {"tags": ["a", "b"]}, {"tags": ["c"]}]}`);
    const target = endpoint({ url: old.url });
    await expectMigrateError(
      copyCollections({ source: endpoint({ url: chroma.url }), target, out: join(dir, 'lists-copy.jsonl'), collections: ['lists_source'], renameTo: 'lists_copied', ifExists: 'abort', statePath: join(dir, 'state-lists-copy.json') }),
      'CANNOT_HOLD',
      /holds lists in metadata "tags" \(2 records\), but the target server is older than Chroma 1\.5 and cannot store lists\. The copy stopped before sending them/,
    );
    const copied = await new ChromaApi(target).findCollection('lists_copied');
    expect(copied === null ? 0 : await new ChromaApi(target).count(copied.id)).toBe(0);
  });
});

describe('what a single node cannot hold is never dropped silently', () => {
  const sparse = { '#type': 'sparse_vector' as const, indices: [3, 7], values: [0.5, 1.5], tokens: ['cat', 'dog'] };

  async function sparseBackup(path: string): Promise<void> {
    const writer = await BackupWriter.open(path);
    await writer.writeCollectionHeader({ name: 'hybrid', metadata: null, space: 'l2', count: 3, dimension: 2 });
    await writer.writeRecords([
      { id: 's1', document: 'a', metadata: { kind: 'x', sparse }, embedding: [0.1, 0.2], uri: null },
      { id: 's2', document: 'b', metadata: { kind: 'y', sparse }, embedding: [0.3, 0.4], uri: null },
      { id: 's3', document: 'c', metadata: { kind: 'z' }, embedding: [0.5, 0.6], uri: null },
    ]);
    await writer.writeCollectionEnd('hybrid', 3);
    await writer.finish();
  }

  it('a backup holding sparse vectors stops the import with nothing written; --drop-sparse imports the rest and verify says what was left out', async () => {
    const input = join(dir, 'sparse.jsonl');
    await sparseBackup(input);
    const target = endpoint({ url: chroma.url });
    const statePath = join(dir, 'state-sparse.json');
    await expectMigrateError(
      importBackup({ input, target, ifExists: 'abort', statePath }),
      'CANNOT_HOLD',
      /Collection "hybrid" holds sparse vectors in metadata "sparse" \(2 records\); a self-hosted Chroma server cannot store sparse vectors.*Nothing was written/,
    );
    expect(await new ChromaApi(target).findCollection('hybrid')).toBeNull();

    const cli = await runCli(['import', '--input', input, '--url', chroma.url, '--if-exists', 'abort'], { CHROMA_MIGRATE_STATE: statePath });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/--drop-sparse/);
    expect(cli.stderr).not.toMatch(/at .*\.ts:\d+/);

    const imported = await importBackup({ input, target, ifExists: 'abort', dropSparse: true, statePath });
    expect(imported.collections[0]).toMatchObject({ count: 3, missing: 0 });
    expect((await metadatasOf('hybrid')).s1).toEqual({ metadata: { kind: 'x' }, document: 'a' });
    // The backup keeps them.
    expect(await readFile(input, 'utf8')).toContain('"#type":"sparse_vector"');
    const verdict = await verifyBackup({ input, target });
    expect(verdict.ok).toBe(true);
    expect(verdict.collections[0]?.sparseNotCarried).toEqual({ sparse: 2 });
  });
});
