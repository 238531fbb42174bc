import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCollections, readRecords } from '../../../src/core/backup/read.js';
import type { BackupRecord } from '../../../src/core/model/record.js';
import { makeRecords } from '../../helpers/fixtures.js';
import { makeTempDir, removeDir, writeOwnBackup } from '../../helpers/backup.js';

let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(() => removeDir(dir));


async function collect(path: string, names: string[], batchSize: number): Promise<Array<{ collection: string; ids: string[] }>> {
  const out: Array<{ collection: string; ids: string[] }> = [];
  for await (const { collection, records } of readCollections(path, names, { batchSize })) out.push({ collection, ids: records.map((record) => record.id) });
  return out;
}

describe('readCollections: several collections in one pass', () => {
  const collections = ['a', 'b', 'c', 'd'].map((name, index) => ({ name, records: makeRecords(5 + index, { dim: 4, prefix: name, seed: index + 1 }) }));

  it.each(['several.jsonl', 'several.jsonl.gz'])('yields the chosen collections in file order, each batch of one collection, the same records as readRecords (%s)', async (file) => {
    const path = join(dir, file);
    await writeOwnBackup(path, collections);
    const batches = await collect(path, ['d', 'b'], 3);
    expect(batches.map((batch) => batch.collection)).toEqual(['b', 'b', 'd', 'd', 'd']);
    expect(batches.every((batch) => batch.ids.length <= 3)).toBe(true);
    for (const name of ['b', 'd']) {
      const alone: BackupRecord[] = [];
      for await (const records of readRecords(path, name)) alone.push(...records);
      const together = batches.filter((batch) => batch.collection === name).flatMap((batch) => batch.ids);
      expect(together).toEqual(alone.map((record) => record.id));
    }
    const first = (await readCollections(path, ['a'], { batchSize: 100 }).next()).value;
    const alone = (await readRecords(path, 'a', { batchSize: 100 }).next()).value as BackupRecord[];
    expect(first?.records).toEqual(alone);
  });

  it('names a collection the file does not hold', async () => {
    const path = join(dir, 'missing.jsonl');
    await writeOwnBackup(path, collections);
    await expect(collect(path, ['a', 'zz'], 10)).rejects.toThrow(/"zz" is not in the backup/);
  });
});
