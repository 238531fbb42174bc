import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordLine } from '../../../../src/core/backup/jsonl/format.js';
import { recordLineId } from '../../../../src/core/backup/jsonl/record-id.js';
import { readIds, readRecords } from '../../../../src/core/backup/read.js';
import { makeRecords } from '../../../helpers/fixtures.js';
import { makeTempDir, removeDir, writeOwnBackup } from '../../../helpers/backup.js';

const line = (id: string): Buffer => Buffer.from(recordLine({ id, document: 'd', uri: null, embedding: new Float32Array([1, 2]), metadata: { a: 1 } }).trimEnd());

describe('recordLineId: the id of a record line without parsing the rest', () => {
  it.each(['plain', 'a"quote', 'back\\slash', '","document":"x', 'tab\there', 'ünï 😀', '\u2028', 'a\\"b', '\\', '"'])('reads %j as JSON.parse does', (id) => {
    expect(recordLineId(line(id))).toBe(id);
  });

  it('agrees with JSON.parse on random ids of awkward characters', () => {
    const alphabet = ['a', '"', '\\', ',', ':', '{', '}', '\n', '\u0000', 'é', '😀', '\u2028', ' ', 'u', '/'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let round = 0; round < 2000; round++) {
      const id = Array.from({ length: 1 + (next() % 12) }, () => alphabet[next() % alphabet.length]).join('');
      const bytes = line(id);
      expect(recordLineId(bytes)).toBe((JSON.parse(bytes.toString('utf8')) as { id: string }).id);
    }
  });

  it('says null for any other line, which is then read the ordinary way', () => {
    for (const other of ['{"type":"collection","name":"x"}', '{"type": "record", "id": "a"}', '{"type":"record","id":5}', '{"type":"record","id":"a"}', '{"type":"record","id":"', '{"type":"record","id":"","document":null}']) {
      expect(recordLineId(Buffer.from(other))).toBeNull();
    }
    const notUtf8 = Buffer.concat([Buffer.from('{"type":"record","id":"a'), Buffer.from([0xff]), Buffer.from('","document":null}')]);
    expect(recordLineId(notUtf8)).toBeNull();
  });
});

describe('readIds: one collection of a backup, ids only', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(() => removeDir(dir));

  async function all<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
    const out: T[] = [];
    for await (const batch of batches) out.push(...batch);
    return out;
  }

  it.each(['ids.jsonl', 'ids.jsonl.gz'])('gives the ids readRecords gives, in order and in batches (%s)', async (file) => {
    const path = join(dir, file);
    const collections = ['one', 'two', 'three'].map((name, index) => ({ name, records: makeRecords(250 + index, { dim: 4, prefix: `${name}"\\`, seed: index + 1 }) }));
    await writeOwnBackup(path, collections);
    for (const { name } of collections) {
      const records = await all(readRecords(path, name, { batchSize: 100 }));
      const batches: string[][] = [];
      for await (const ids of readIds(path, name, { batchSize: 100 })) batches.push(ids);
      expect(batches.flat()).toEqual(records.map((record) => record.id));
      expect(batches.every((ids) => ids.length <= 100)).toBe(true);
    }
    await expect(all(readIds(path, 'absent'))).rejects.toThrow(/"absent" is not in the backup/);
  });

  it('reads a hand-edited record line (spaces after the colons) the ordinary way', async () => {
    const path = join(dir, 'edited.jsonl');
    await writeOwnBackup(path, [{ name: 'edited', records: makeRecords(3, { dim: 4, seed: 3 }) }]);
    const { readFile } = await import('node:fs/promises');
    const text = (await readFile(path, 'utf8')).replace('{"type":"record","id":', '{"type":"record", "id": ');
    await writeFile(path, text);
    const expected = (await all(readRecords(path, 'edited'))).map((record) => record.id);
    expect(await all(readIds(path, 'edited'))).toEqual(expected);
  });
});
