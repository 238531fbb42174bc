import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup, readRecords } from '../../../../src/core/backup/read.js';
import { WholeFloat } from '../../../../src/core/model/values.js';
import { makeRecords, pyJson, writePythonColumnsJson, writePythonMultiJson, writePythonRowsJson } from '../../../helpers/fixtures.js';
import { expectMigrateError, makeTempDir, readAll, removeDir } from '../../../helpers/backup.js';

let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(() => removeDir(dir));

// Python exports contain None documents and metadatas; 1,177 is not a multiple of any batch size.
const records = makeRecords(1_177, { dim: 16, nullDocEvery: 4, nullMetaEvery: 6, uriEvery: 50 });

describe.each([
  ['rows.json', { indent: 0 }],
  ['rows-pretty.json', { indent: 2 }],
  ['rows.json.gz', { indent: 0 }],
])('row-wise export %s', (file, style) => {
  it('inspects and reads all 1,177 records, nulls included', async () => {
    const path = join(dir, file);
    await writePythonRowsJson(path, 'docs', records, { metadata: { 'hnsw:space': 'cosine', topic: 'tests' }, ...style });
    const summary = await inspectBackup(path);
    expect(summary).toMatchObject({ format: 'python-rows', gzip: file.endsWith('.gz'), createdAt: '2025-06-01T12:00:00.123456' });
    expect(summary.collections).toEqual([{ name: 'docs', metadata: { 'hnsw:space': 'cosine', topic: 'tests' }, space: 'cosine', count: 1_177, dimension: 16 }]);
    expect(await readAll(path, 'docs', { batchSize: 100 })).toEqual(records);
  });
});

describe.each([
  ['columns.json', {}],
  ['columns-pretty.json', { indent: 4 }],
  ['columns.json.gz', {}],
])('column-wise export %s', (file, style) => {
  it('zips the columns back into records', async () => {
    const path = join(dir, file);
    await writePythonColumnsJson(path, 'docs', records, style);
    const summary = await inspectBackup(path);
    expect(summary.format).toBe('python-columns');
    expect(summary.collections).toEqual([{ name: 'docs', metadata: null, space: null, count: 1_177, dimension: 16 }]);
    const back = await readAll(path, 'docs', { batchSize: 128 });
    expect(back).toEqual(records);
  });
});

describe('multi-collection export', () => {
  it('reads row-wise and column-wise collections side by side', async () => {
    const path = join(dir, 'multi.json');
    const small = makeRecords(33, { dim: 3, prefix: 'small', seed: 4, nullDocEvery: 2 });
    await writePythonMultiJson(
      path,
      [
        { name: 'docs', metadata: { 'hnsw:space': 'ip' }, records },
        { name: 'small', records: small, shape: 'columns' },
        { name: 'empty', records: [] },
      ],
      { indent: 2 },
    );
    const summary = await inspectBackup(path);
    expect(summary.format).toBe('python-multi');
    expect(summary.collections).toEqual([
      { name: 'docs', metadata: { 'hnsw:space': 'ip' }, space: 'ip', count: 1_177, dimension: 16 },
      { name: 'small', metadata: null, space: null, count: 33, dimension: 3 },
      { name: 'empty', metadata: null, space: null, count: 0, dimension: null },
    ]);
    expect(await readAll(path, 'small', { batchSize: 5 })).toEqual(small);
    expect(await readAll(path, 'docs')).toEqual(records);
    expect(await readAll(path, 'empty')).toEqual([]);
    await expectMigrateError(readAll(path, 'nope'), 'NOT_FOUND', /"nope" is not in the backup multi\.json \(it holds: docs, small, empty\)/);
  });
});

describe('skip', () => {
  const small = records.slice(0, 250);
  it.each(['rows', 'columns', 'multi'])('starts after the first `skip` records (%s)', async (shape) => {
    const path = join(dir, `skip-${shape}.json`);
    if (shape === 'rows') await writePythonRowsJson(path, 'docs', small);
    else if (shape === 'columns') await writePythonColumnsJson(path, 'docs', small);
    else await writePythonMultiJson(path, [{ name: 'x', records: small.slice(0, 3) }, { name: 'docs', records: small, shape: 'columns' }]);
    expect(await readAll(path, 'docs', { skip: 101, batchSize: 50 })).toEqual(small.slice(101));
    expect(await readAll(path, 'docs', { skip: 250 })).toEqual([]);
    expect(await readAll(path, 'docs', { skip: 9_999 })).toEqual([]);
    const batches: number[] = [];
    for await (const batch of readRecords(path, 'docs', { skip: 10, batchSize: 100 })) batches.push(batch.length);
    expect(batches).toEqual([100, 100, 40]);
  });
});

describe('variants seen in the wild', () => {
  it('handles a UTF-8 BOM, keys in any order and collection.get() extras', async () => {
    const path = join(dir, 'bom.json');
    const r = records.slice(0, 5);
    // collection.get() with include=[...] leaves the rest null; "data" and "included" are extras.
    const body = {
      ids: r.map((x) => x.id),
      embeddings: r.map((x) => x.embedding),
      documents: r.map((x) => x.document),
      uris: null,
      data: null,
      metadatas: r.map((x) => x.metadata),
      included: ['embeddings', 'documents', 'metadatas'],
      collection: 'late-name',
      exported_at: '2024-01-02',
    };
    await writeFile(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pyJson(body))]));
    const summary = await inspectBackup(path);
    expect(summary.collections[0]).toMatchObject({ name: 'late-name', count: 5, dimension: 16 });
    expect(summary.createdAt).toBe('2024-01-02');
    expect(await readAll(path, 'late-name')).toEqual(r.map((x) => ({ ...x, uri: null })));
  });

  it('reads each column from where it starts, in the order collection.get() writes them (gzip, BOM, skip)', async () => {
    const r = records.slice(0, 7);
    const body = { ids: r.map((x) => x.id), embeddings: r.map((x) => x.embedding), documents: r.map((x) => x.document), uris: null, data: null, metadatas: r.map((x) => x.metadata), included: ['embeddings'] };
    const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pyJson(body, 2))]);
    for (const [name, bytes] of [['get-order.json', text], ['get-order.json.gz', gzipSync(text)]] as const) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      const rest: unknown[] = [];
      for await (const batch of readRecords(path, 'get-order', { skip: 3, batchSize: 2 })) {
        rest.push(...batch.map((x) => ({ ...x, embedding: x.embedding && Array.from(x.embedding) })));
      }
      expect(rest).toEqual(r.slice(3).map((x) => ({ ...x, uri: null })));
    }
  });

  it('names a nameless single-collection export after its file, and reads "collection": {name, metadata}', async () => {
    const nameless = join(dir, 'my-docs.json.gz');
    await writeFile(nameless, gzipSync(pyJson({ records: records.slice(0, 2) })));
    expect((await inspectBackup(nameless)).collections[0]!.name).toBe('my-docs');
    expect(await readAll(nameless, 'my-docs')).toEqual(records.slice(0, 2));

    const nested = join(dir, 'nested.json');
    await writeFile(nested, pyJson({ collection: { name: 'n', metadata: { a: 1 }, configuration: { hnsw: { space: 'l2' } } }, records: [] }));
    expect((await inspectBackup(nested)).collections[0]).toEqual({
      name: 'n',
      metadata: { a: 1 },
      space: 'l2',
      configuration: { hnsw: { space: 'l2' } },
      count: 0,
      dimension: null,
    });
    // Its metadata is typed like any other: 2.0 stays a float, a big int exact.
    const typed = join(dir, 'nested-typed.json');
    await writeFile(typed, '{"collection": {"name": "t", "metadata": {"version": 2.0, "big": 9007199254740993}}, "records": []}');
    expect((await inspectBackup(typed)).collections[0]?.metadata).toEqual({ version: new WholeFloat(2), big: 9007199254740993n });
  });

  it('reads records without document/metadata/embedding keys as nulls', async () => {
    const path = join(dir, 'sparse.json');
    await writeFile(path, JSON.stringify({ collection_name: 's', records: [{ id: 'a' }, { id: 'b', document: 'x' }] }));
    expect(await readAll(path, 's')).toEqual([
      { id: 'a', document: null, metadata: null, embedding: null, uri: null },
      { id: 'b', document: 'x', metadata: null, embedding: null, uri: null },
    ]);
  });

  it('reads embeddings as float32, what Chroma stores and an upsert sends, in both shapes', async () => {
    // Python writes float64 reprs; 0.1 and 1/3 are not float32 values.
    const numbers = [0.1, 1 / 3, -2.5, 1e-7];
    const rows = join(dir, 'f32-rows.json');
    const columns = join(dir, 'f32-columns.json');
    await writeFile(rows, JSON.stringify({ collection_name: 'f', records: [{ id: 'a', embedding: numbers }, { id: 'b', embedding: null }] }));
    await writeFile(columns, JSON.stringify({ collection_name: 'f', ids: ['a', 'b'], embeddings: [numbers, null] }));
    for (const path of [rows, columns]) {
      const read: unknown[] = [];
      for await (const batch of readRecords(path, 'f')) read.push(...batch);
      const [a, b] = read as Array<{ embedding: unknown }>;
      expect(a!.embedding).toBeInstanceOf(Float32Array);
      expect(Array.from(a!.embedding as Float32Array)).toEqual(numbers.map(Math.fround));
      expect(b!.embedding).toBeNull();
    }
  });

  it('refuses a collection name that the file does not hold', async () => {
    const path = join(dir, 'named.json');
    await writePythonRowsJson(path, 'docs', records.slice(0, 1));
    await expectMigrateError(readAll(path, 'other'), 'NOT_FOUND', /"other" is not in the backup named\.json \(it holds: docs\)/);
  });
});

describe('a metadata the typed reader refuses is refused when the file is checked', () => {
  const dir = join(tmpdir(), `cm-dupkey-${process.pid}`);
  it('a repeated key beside a 2.0, in a row or in the metadatas column, stops inspect (nothing would be written)', async () => {
    await mkdir(dir, { recursive: true });
    const rows = join(dir, 'rows.json');
    await writeFile(rows, '{"collection_name":"rk","records":[{"id":"b","embedding":[1,3],"metadata":{"y":1}},{"id":"a","embedding":[1,2],"metadata":{"x":2.0,"x":3}}]}');
    await expectMigrateError(inspectBackup(rows), 'BAD_BACKUP', /in records\[1\]\.metadata: .*Duplicate key 'x'/);
    const columns = join(dir, 'columns.json');
    await writeFile(columns, '{"ids":["a","b"],"embeddings":[[1,2],[1,3]],"metadatas":[{"y":1},{"x":2.0,"x":3}]}');
    await expectMigrateError(inspectBackup(columns), 'BAD_BACKUP', /in metadatas\[1\]: .*Duplicate key 'x'/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('the collection name: inspect and the reader agree', () => {
  const dir = join(tmpdir(), `cm-names-${process.pid}`);
  it('"collection_name" wins over "collection": {"name"} and "name"; otherwise the first name stands', async () => {
    await mkdir(dir, { recursive: true });
    const cases: Array<[string, string]> = [
      ['{"collection_name":"a","collection":{"name":"b"},"ids":["x"],"embeddings":[[1,2]]}', 'a'],
      ['{"collection":{"name":"b"},"collection_name":"a","ids":["x"],"embeddings":[[1,2]]}', 'a'],
      ['{"name":"c","collection":{"name":"e"},"ids":["x"],"embeddings":[[1,2]]}', 'c'],
      ['{"collections":[{"collection_name":"a","collection":{"name":"b"},"ids":["x"],"embeddings":[[1,2]]}],"collection":{"name":"z"}}', 'a'],
    ];
    for (const [index, [text, name]] of cases.entries()) {
      const path = join(dir, `names-${index}.json`);
      await writeFile(path, text);
      expect((await inspectBackup(path)).collections.map((header) => header.name)).toEqual([name]);
      expect((await readAll(path, name)).map((record) => record.id)).toEqual(['x']);
    }
    await rm(dir, { recursive: true, force: true });
  });
});
