import type { CollectionSync, PruneRemoval, SyncCheck } from '../../core/operations/sync.js';
import type { TargetOnly } from '../../core/sinks/diff/target-only.js';
import { inSync } from '../../core/sinks/diff/collection-diff.js';
import { count, inQuotes, plural, shown } from '../../core/util/format.js';
import { syncSettingsLines } from './sync-settings.js';

/** How many ids of each kind are named in the report. */
const NAMED = 5;

/** A collection's sync for --json: the counts and the first ids of each kind, and the settings that differ. */
export function syncJson(entry: CollectionSync) {
  const summary = (check: SyncCheck) => ({
    added: check.added.size,
    changed: check.changed.size,
    removed: check.removed.size,
    misListed: check.misListed.size,
    changedWhole: check.changed.whole,
    addedIds: check.added.slice(0, NAMED),
    changedIds: check.changed.first.slice(0, NAMED).map(({ id, fields }) => ({ id, fields })),
    removedIds: check.removed.slice(0, NAMED),
    misListedIds: check.misListed.slice(0, NAMED),
    settings: check.settings,
  });
  return { collection: entry.collection, target: entry.target, ...(entry.created ? { created: true } : {}), ok: entry.ok, sourceCount: entry.sourceCount, targetCount: entry.targetCount, ...summary(entry), upserted: entry.upserted, replacedWhole: entry.replaced, deleted: entry.deleted, after: entry.after && summary(entry.after) };
}

/** Ids in a list or a compact set: only the first few are decoded, and shown safely (`shown`). */
function named(ids: { slice(start: number, end: number): string[] }, total: number): string {
  return namedWith(ids, total, shown);
}

function changedNamed(check: SyncCheck): string {
  return namedWith(check.changed.first, check.changed.size, (change) => `${shown(change.id)} (${change.fields.join(', ')})`);
}

/**
 * sync is one way: a record on both sides that differs is written over with the source's, also
 * when it was the target's copy that was edited (by the app, since the cutover). Said plainly.
 */
function changedLine(check: SyncCheck, dryRun: boolean): string {
  const way = check.changed.size === 0 ? '' : dryRun ? " (the target's version would be replaced by the source's)" : " (the target's version replaced by the source's)";
  return `    changed    ${count(check.changed.size)}${way}${changedNamed(check)}`;
}

/** Records on the target and not on the source: the source deleted them, or something wrote them to the target since; sync cannot tell which. */
function keptLine(removed: number, declined: boolean): string {
  const which = `${plural(removed, 'record')} on the target that ${removed === 1 ? 'is' : 'are'} not on the source`;
  return declined ? `    kept       ${which}, as you answered (sync --prune deletes ${removed === 1 ? 'it' : 'them'})` : `    kept       ${which} (sync --prune deletes ${removed === 1 ? 'it' : 'them'})`;
}

function namedWith<T>(items: { slice(start: number, end: number): T[] }, total: number, name: (item: T) => string): string {
  return total === 0 ? '' : `: ${items.slice(0, NAMED).map((item) => name(item)).join(', ')}${total > NAMED ? ', …' : ''}`;
}

/**
 * What sync found and did, a few lines per collection. `recreate(collection)`: the command that
 * recreates a collection from the source, for settings sync cannot change.
 */
export function syncLines(
  entries: CollectionSync[],
  result: { dryRun: boolean; pruned: boolean; pruneDeclined?: boolean; out: string | null; targetOnly?: TargetOnly[] },
  recreate: (collection: string) => string[] = () => [],
): string[] {
  const lines: string[] = [];
  for (const entry of entries) {
    lines.push(`${entry.ok ? '✓' : '✗'} ${shown(entry.collection)}${entry.target === entry.collection ? '' : ` → ${shown(entry.target)}`}: ${count(entry.sourceCount)} on the source, ${entry.created ? `not on the target: ${result.dryRun ? 'would be created' : 'created'} with the source's settings` : `${count(entry.targetCount)} on the target before`}`);
    lines.push(`    added      ${count(entry.added.size)}${named(entry.added, entry.added.size)}`);
    lines.push(changedLine(entry, result.dryRun));
    lines.push(`    removed    ${count(entry.removed.size)}${named(entry.removed, entry.removed.size)}`);
    if (entry.misListed.size > 0) lines.push(`    listed wrongly ${count(entry.misListed.size)}${named(entry.misListed, entry.misListed.size)} — the source holds them though its listing missed them (it changed while listed): ${result.dryRun ? 'a sync sends them' : 'sent'} from the source, not deleted`);
    if (result.dryRun) {
      if (entry.changed.whole > 0) lines.push(`    replaced whole: ${count(entry.changed.whole)} would be (values the source no longer has: a document or uri the target holds, which an upsert cannot clear; each deleted there and written again as the source holds it)`);
      if (!entry.created) lines.push(...syncSettingsLines(entry.settings, recreate(entry.collection), true));
      continue;
    }
    lines.push(`    upserted   ${count(entry.upserted)}`);
    if (entry.replaced > 0) lines.push(`    replaced whole: ${count(entry.replaced)} (values the source no longer has: a document or uri the target held, which an upsert cannot clear; each deleted there and written again as the source holds it)`);
    if (result.pruned) lines.push(`    deleted    ${count(entry.deleted)}`);
    else if (entry.removed.size > 0) lines.push(keptLine(entry.removed.size, result.pruneDeclined === true));
    if (entry.after) lines.push(...afterLines(entry.after, result.pruned), ...syncSettingsLines(entry.after.settings, recreate(entry.collection)));
  }
  if (result.pruneDeclined) {
    const kept = entries.reduce((sum, entry) => sum + (entry.after?.removed.size ?? 0), 0);
    lines.push(`Kept, as you answered: ${plural(kept, 'record')} on the target that the source does not have. The rest was synced; the target does not match the source while ${kept === 1 ? 'it is' : 'they are'} there.`);
  }
  const targetOnly = result.targetOnly ?? [];
  for (const only of targetOnly) lines.push(`On the target only: ${shown(only.collection)} (${plural(only.count, 'record')}) — not touched; delete it yourself if it should go`);
  if (result.dryRun) lines.push(dryRunVerdict(entries, targetOnly.length));
  if (result.out) lines.push(`✓ Wrote a fresh backup of the source to ${result.out}`);
  return lines;
}

/**
 * A dry run's last line: whether a sync has anything to do, and never "the target matches the
 * source" while the target holds what the source does not (records kept without --prune, a
 * collection the source lacks), which a sync leaves as it is.
 */
function dryRunVerdict(entries: CollectionSync[], targetOnly: number): string {
  if (entries.some((entry) => !entry.ok)) return 'Dry run: nothing was written. The target does not match the source: what differs is listed above.';
  // Ok with records only on the target: --prune was not given.
  const kept = entries.reduce((sum, entry) => sum + entry.removed.size, 0);
  if (kept === 0 && targetOnly === 0) return 'Dry run: nothing was written. The target matches the source: a sync has nothing to do.';
  const extra = [kept > 0 ? `${plural(kept, 'record')} the source does not have (sync --prune deletes them)` : '', targetOnly > 0 ? `${plural(targetOnly, 'collection')} the source does not have (named above; sync never deletes one)` : ''];
  return `Dry run: nothing was written. A sync has nothing to send, but the target also holds ${extra.filter(Boolean).join(' and ')}.`;
}

/**
 * The comparison after the writes, each thing that still differs named with its first ids: the
 * source kept changing while the sync ran, and another run brings what changed since.
 */
function afterLines(after: SyncCheck, pruned: boolean): string[] {
  if (inSync(after, pruned)) return ['    verify     every source record is on the target, equal'];
  const lines = ['    verify     ✗ the target still differs from the source (it changed during the sync?):'];
  if (after.added.size > 0) lines.push(`      still missing   ${count(after.added.size)}${named(after.added, after.added.size)} (run sync again to send them)`);
  if (after.changed.size > 0) lines.push(`      still differing ${count(after.changed.size)}${changedNamed(after)} (run sync again to send them)`);
  if (after.misListed.size > 0) lines.push(`      listed wrongly  ${count(after.misListed.size)}${named(after.misListed, after.misListed.size)}: the source holds them, its listing missed them (run sync again to compare them)`);
  if (pruned && after.removed.size > 0) {
    lines.push(`      still on the target, not on the source ${count(after.removed.size)}${named(after.removed, after.removed.size)} (run sync --prune again to delete them)`);
  }
  return lines;
}

/**
 * The --prune confirmation: how many records, in which collections on which server, the first few
 * ids. A record the target holds and the source does not was deleted at the source, or written to
 * the target since (by the app, after the cutover): sync cannot tell which, so the words claim neither.
 */
export function prunePrompt(removals: PruneRemoval[], target: string): string {
  const total = removals.reduce((sum, removal) => sum + removal.count, 0);
  const one = total === 1;
  const each = removals.map((removal) => {
    const more = removal.count > removal.firstIds.length ? ', …' : '';
    return `${removals.length > 1 ? `${count(removal.count)} in ` : 'in '}${inQuotes(removal.target)}: ${removal.firstIds.map(shown).join(', ')}${more}`;
  });
  const them = one ? 'it' : 'them';
  return (
    `${plural(total, 'record')} ${one ? 'is' : 'are'} on the target (${target}) but not on the source (the source deleted ${them}, or something wrote ${them} to the target since), ` +
    `${each.join('; ')}. Delete ${them} from the target? (No: the rest is synced and ${one ? 'this record is' : 'these are'} kept.)`
  );
}
