/**
 * Random typed metadata through every backup shape and back: whatever the generator makes
 * (ints past 2^53, whole floats, exponents, digits in strings, lists) must read back equal,
 * type for type, as compareMetadata judges it. Seeded, so a failure repeats.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse as losslessParse } from 'lossless-json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupRecord, Metadata, MetadataValue } from '../../../src/core/model/record.js';
import { inspectBackup } from '../../../src/core/backup/read.js';
import { BackupWriter } from '../../../src/core/backup/jsonl/writer.js';
import { compareMetadata } from '../../../src/core/model/compare-values.js';
import { numberFromToken, parseTyped, stringifyTyped } from '../../../src/core/model/typed-json.js';
import { WholeFloat, type Scalar } from '../../../src/core/model/values.js';
import { seededRandom } from '../../helpers/prng.js';
import { makeTempDir, readAll, removeDir } from '../../helpers/backup.js';

let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(() => removeDir(dir));

function generator(seed: number) {
  const r = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const int = (): number | bigint =>
    pick([
      () => Math.floor(r() * 200) - 100,
      () => Math.floor((r() - 0.5) * 2 ** 52),
      () => (r() < 0.5 ? 9007199254740993n : -9007199254740993n),
      () => BigInt(Math.floor(r() * 2 ** 30)) * 2n ** 32n + BigInt(Math.floor(r() * 2 ** 32)) * (r() < 0.5 ? -1n : 1n),
      () => 9223372036854775807n,
      () => -9223372036854775808n,
      () => Number.MAX_SAFE_INTEGER,
      () => 0,
    ])();
  // A whole value is a WholeFloat, as every reader makes it (values/types.ts): a plain number past 2^53 would be an int.
  const float = (): number | WholeFloat => {
    const value = pick([
      () => new WholeFloat(Math.floor((r() - 0.5) * 1e6)),
      () => new WholeFloat(pick([0, -0, 1e21, -1e21, 1e300, 2 ** 53, 2 ** 60])),
      () => (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20),
      () => pick([0.5, -0.25, 1e-7, 1.5e-300, 0.1, 123456789.125]),
    ])();
    return typeof value === 'number' && Number.isInteger(value) ? new WholeFloat(value) : value;
  };
  const string = (): string => pick(['2.0', '9007199254740993', '1e21', '-0.0', 'x"y', 'ü✓', '"metadata":{"a":2.0}', '', `s${Math.floor(r() * 1e17)}`]);
  const scalar = (): Scalar => pick([int, float, string, () => r() < 0.5])();
  const list = (): Scalar[] => {
    const of = pick([int, float, string, () => r() < 0.5] as Array<() => Scalar>);
    return Array.from({ length: 1 + Math.floor(r() * 4) }, of);
  };
  const value = (): MetadataValue => pick([scalar, scalar, scalar, list, () => null])();
  const metadata = (): Metadata | null => {
    if (r() < 0.1) return null;
    const out: Metadata = {};
    const keys = 1 + Math.floor(r() * 5);
    for (let k = 0; k < keys; k++) {
      // As JSON.parse makes it: "__proto__" an own key, not the prototype.
      Object.defineProperty(out, pick(['a', 'score', 'n', 'tags', 'metadata', 'k 1', 'ü', '__proto__']), { value: value(), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return { metadata, r };
}

function records(seed: number, count: number): BackupRecord[] {
  const g = generator(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `id-${i}`,
    document: i % 3 === 0 ? null : `doc ${i} "metadata":{"x":1.0}`,
    metadata: g.metadata(),
    embedding: [g.r(), g.r()],
    uri: null,
  }));
}

function expectSameMetadata(got: BackupRecord[], want: BackupRecord[]): void {
  expect(got.map((record) => record.id)).toEqual(want.map((record) => record.id));
  const differences = got.flatMap((record, i) => compareMetadata(record.metadata, want[i]!.metadata).differences.map((d) => `${record.id} ${d}`));
  expect(differences).toEqual([]);
}

describe('random typed metadata reads back type for type', () => {
  for (const file of ['fuzz.jsonl', 'fuzz.jsonl.gz']) {
    it(`through the own format (${file})`, async () => {
      const want = records(12, 600);
      const path = join(dir, file);
      const writer = await BackupWriter.open(path, { source: { url: 'http://localhost', tenant: 't' } });
      await writer.writeCollectionHeader({ name: 'c', metadata: null, space: 'l2', count: want.length, dimension: 2 });
      for (let i = 0; i < want.length; i += 50) await writer.writeRecords(want.slice(i, i + 50));
      await writer.writeCollectionEnd('c', want.length);
      await writer.finish();
      expectSameMetadata(await readAll(path, 'c'), want);
    });
  }

  it('through both Python shapes (as json.dump writes them)', async () => {
    const want = records(34, 300);
    const rows = { records: want.map((record) => ({ id: record.id, document: record.document, metadata: record.metadata, embedding: record.embedding })) };
    const columns = {
      ids: want.map((record) => record.id),
      documents: want.map((record) => record.document),
      metadatas: want.map((record) => record.metadata),
      embeddings: want.map((record) => record.embedding),
    };
    for (const [name, body] of [['rows.json', rows], ['columns.json.gz', columns]] as const) {
      const path = join(dir, name);
      const text = stringifyTyped(body);
      await writeFile(path, name.endsWith('.gz') ? gzipSync(text) : text);
      expectSameMetadata(await readAll(path, name.startsWith('rows') ? 'rows' : 'columns'), want);
    }
  });

  it('parseTyped reads any text as lossless-json does, fast path or not', () => {
    const g = generator(56);
    for (let i = 0; i < 3_000; i++) {
      const text = stringifyTyped(g.metadata());
      expect(parseTyped(text), text).toEqual(losslessParse(text, null, numberFromToken));
    }
  });
});

describe('a "__proto__" metadata key is a key like any other', () => {
  it('is kept by the own format and both Python shapes, with or without typed numbers', async () => {
    const metadata = JSON.parse('{"__proto__":"x","n":1}') as Metadata;
    const typed = parseTyped('{"__proto__":2.0,"n":1}') as Metadata;
    const want: BackupRecord[] = [
      { id: 'a', document: null, metadata, embedding: [1, 2], uri: null },
      { id: 'b', document: null, metadata: typed, embedding: [1, 2], uri: null },
    ];
    const own = join(dir, 'proto.jsonl');
    const writer = await BackupWriter.open(own);
    await writer.writeCollectionHeader({ name: 'c', metadata: null, space: 'l2', count: 2, dimension: 2 });
    await writer.writeRecords(want);
    await writer.writeCollectionEnd('c', 2);
    await writer.finish();
    const rows = join(dir, 'proto-rows.json');
    await writeFile(rows, stringifyTyped({ records: want.map(({ id, metadata: m, embedding }) => ({ id, metadata: m, embedding })) }));
    const columns = join(dir, 'proto-columns.json');
    await writeFile(columns, stringifyTyped({ ids: ['a', 'b'], metadatas: [metadata, typed], embeddings: [[1, 2], [1, 2]] }));
    for (const [path, name] of [[own, 'c'], [rows, 'proto-rows'], [columns, 'proto-columns']] as const) {
      const got = await readAll(path, name);
      expect(got.map((record) => Object.keys(record.metadata!)), path).toEqual([['__proto__', 'n'], ['__proto__', 'n']]);
      expectSameMetadata(got, want);
    }
  });
});

describe('collection metadata in Python exports', () => {
  it('keeps 2.0 a float and a big int exact, in one- and multi-collection files', async () => {
    const one = join(dir, 'one.json');
    await writeFile(one, '{"name": "docs", "metadata": {"version": 2.0, "big": 9007199254740993}, "ids": ["a"], "embeddings": [[1.0]]}');
    const multi = join(dir, 'multi.json');
    await writeFile(multi, '{"collections": [{"name": "docs", "collection_metadata": {"version": 2.0, "big": 9007199254740993}, "records": [{"id": "a", "embedding": [1.0]}]}]}');
    for (const path of [one, multi]) {
      expect((await inspectBackup(path)).collections[0]?.metadata, path).toEqual({ version: new WholeFloat(2), big: 9007199254740993n });
    }
  });
});
