/** A source server seeded with small collections of 8-d records, as the many-collection tests need. */
import { join } from 'node:path';
import { BackupWriter } from '../../src/core/backup/jsonl/writer.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { Metadata } from '../../src/core/model/record.js';
import { importBackup } from '../../src/core/operations/import.js';
import { makeRecords } from './fixtures.js';

/**
 * Each of `names` holds `each` records (ids `NAME-…`, seeded by the collection's place, l2),
 * written to a backup in `dir` and imported into the server at `url`.
 */
export async function seedSmallCollections(url: string, dir: string, names: string[], each: number, metadata: (k: number) => Metadata | null = () => null): Promise<void> {
  const seed = join(dir, 'seed.jsonl');
  const writer = await BackupWriter.open(seed);
  for (const [k, name] of names.entries()) {
    await writer.writeCollectionHeader({ name, metadata: metadata(k), space: 'l2', count: each, dimension: 8 });
    await writer.writeRecords(makeRecords(each, { dim: 8, seed: k + 1, prefix: `${name}-` }));
    await writer.writeCollectionEnd(name, each);
  }
  await writer.finish();
  await importBackup({ input: seed, target: endpoint({ url }), ifExists: 'abort', statePath: join(dir, 'seed-state.json') });
}
