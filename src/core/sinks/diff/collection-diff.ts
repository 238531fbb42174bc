/**
 * How a target collection differs from its source collection: the ids only the source has
 * (added), only the target has (removed), and those on both whose records differ (changed),
 * compared as verify compares. Reads only, on both sides.
 */
import type { Space } from '../../model/record.js';
import type { ChromaApi } from '../../chroma/api.js';
import { listIds, recordsByIds, type ByIdOptions } from '../../chroma/id-list.js';
import type { ProgressListener } from '../../util/progress.js';
import { recordDifferences } from './record-diff.js';

export interface Side {
  api: ChromaApi;
  collectionId: string;
  read: ByIdOptions;
}

export interface CollectionDiff {
  sourceCount: number;
  targetCount: number;
  added: string[];
  removed: string[];
  changed: Array<{ id: string; fields: string[] }>;
}

export async function diffCollection(
  name: string,
  source: Side,
  target: Side,
  options: { space: Space | null; progress: ProgressListener },
): Promise<CollectionDiff> {
  const [sourceIds, targetIds] = await Promise.all([listIds(source.api, source.collectionId, source.read), listIds(target.api, target.collectionId, target.read)]);
  const onTarget = new Set(targetIds);
  const onSource = new Set(sourceIds);
  const common = sourceIds.filter((id) => onTarget.has(id));
  const changed: CollectionDiff['changed'] = [];
  const chunk = Math.min(source.read.pageSize, target.read.pageSize);
  options.progress({ type: 'collection-start', collection: name, total: common.length, done: 0, resumed: false });
  for (let from = 0; from < common.length; from += chunk) {
    const ids = common.slice(from, from + chunk);
    const [fromSource, fromTarget] = await Promise.all([firstPage(recordsByIds(source.api, source.collectionId, ids, source.read)), firstPage(recordsByIds(target.api, target.collectionId, ids, target.read))]);
    const stored = new Map(fromTarget.map((record) => [record.id, record]));
    for (const expected of fromSource) {
      const have = stored.get(expected.id);
      // Gone from either side between the id scan and this read: the next run sees it as it is then.
      if (!have) continue;
      const fields = recordDifferences(have, expected, options.space);
      if (fields.length > 0) changed.push({ id: expected.id, fields });
    }
    options.progress({ type: 'batch', collection: name, done: Math.min(from + chunk, common.length), total: common.length });
  }
  options.progress({ type: 'collection-done', collection: name, done: common.length, total: common.length });
  return {
    sourceCount: sourceIds.length,
    targetCount: targetIds.length,
    added: sourceIds.filter((id) => !onTarget.has(id)),
    removed: targetIds.filter((id) => !onSource.has(id)),
    changed,
  };
}

async function firstPage<T>(pages: AsyncGenerator<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}
