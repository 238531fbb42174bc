import type { CollectionSync } from '../../core/operations/sync.js';
import { inSync } from '../../core/sinks/diff/collection-diff.js';
import { count } from '../../core/util/format.js';

/** How many ids of each kind are named in the report. */
const NAMED = 5;

/** A collection's sync for --json: the counts and the first ids of each kind. */
export function syncJson(entry: CollectionSync) {
  const summary = (diff: Pick<CollectionSync, 'added' | 'changed' | 'removed'>) => ({
    added: diff.added.size,
    changed: diff.changed.size,
    removed: diff.removed.size,
    addedIds: diff.added.slice(0, NAMED),
    changedIds: diff.changed.first.slice(0, NAMED).map(({ id, fields }) => ({ id, fields })),
    removedIds: diff.removed.slice(0, NAMED),
  });
  return { collection: entry.collection, target: entry.target, ...(entry.created ? { created: true } : {}), sourceCount: entry.sourceCount, targetCount: entry.targetCount, ...summary(entry), upserted: entry.upserted, deleted: entry.deleted, after: entry.after && summary(entry.after) };
}

/** Ids in a list or a compact set: only the first few are decoded. */
function named(ids: { slice(start: number, end: number): string[] }, total: number): string {
  return total === 0 ? '' : `: ${ids.slice(0, NAMED).join(', ')}${total > NAMED ? ', …' : ''}`;
}

/** What sync found and did, a few lines per collection. */
export function syncLines(entries: CollectionSync[], result: { dryRun: boolean; pruned: boolean; out: string | null }): string[] {
  const lines: string[] = [];
  for (const entry of entries) {
    const ok = entry.after === null || inSync(entry.after, result.pruned);
    lines.push(`${ok ? '✓' : '✗'} ${entry.collection}${entry.target === entry.collection ? '' : ` → ${entry.target}`}: ${count(entry.sourceCount)} on the source, ${entry.created ? `not on the target: ${result.dryRun ? 'would be created' : 'created'} with the source's settings` : `${count(entry.targetCount)} on the target before`}`);
    lines.push(`    added      ${count(entry.added.size)}${named(entry.added, entry.added.size)}`);
    lines.push(`    changed    ${count(entry.changed.size)}${named(entry.changed.first.map((change) => `${change.id} (${change.fields.join(', ')})`), entry.changed.size)}`);
    lines.push(`    removed    ${count(entry.removed.size)}${named(entry.removed, entry.removed.size)}`);
    if (result.dryRun) continue;
    lines.push(`    upserted   ${count(entry.upserted)}`);
    if (result.pruned) lines.push(`    deleted    ${count(entry.deleted)}`);
    else if (entry.removed.size > 0) lines.push(`    kept       ${count(entry.removed.size)} records the source no longer has (sync --prune deletes them)`);
    const after = entry.after;
    if (after) {
      const still = after.added.size + after.changed.size === 0 ? 'every source record is on the target, equal' : `${count(after.added.size)} still missing, ${count(after.changed.size)} still differing`;
      lines.push(`    verify     ${still}`);
    }
  }
  if (result.dryRun) lines.push('Dry run: nothing was written.');
  if (result.out) lines.push(`✓ Wrote a fresh backup of the source to ${result.out}`);
  return lines;
}
