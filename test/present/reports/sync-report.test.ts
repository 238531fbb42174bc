import { describe, expect, it } from 'vitest';
import type { CollectionSync, SyncCheck } from '../../../src/core/operations/sync.js';
import { CompactIdSet } from '../../../src/core/util/compact-ids.js';
import { prunePrompt, syncLines } from '../../../src/present/reports/sync-report.js';

function ids(list: string[]): CompactIdSet {
  const set = new CompactIdSet();
  for (const id of list) set.add(id);
  return set;
}

function check(parts: { added?: string[]; changed?: Array<{ id: string; fields: string[] }>; removed?: string[]; misListed?: string[] } = {}): SyncCheck {
  const changed = parts.changed ?? [];
  return {
    sourceCount: 100,
    targetCount: 100,
    added: ids(parts.added ?? []),
    removed: ids(parts.removed ?? []),
    changed: { size: changed.length, slice: (start, end) => changed.slice(start, end).map((entry) => entry.id), first: changed, plain: ids(changed.map((entry) => entry.id)), stale: ids([]), whole: 0 },
    misListed: ids(parts.misListed ?? []),
    settings: [],
  };
}

function synced(after: SyncCheck): CollectionSync {
  return { ...check(), collection: 'docs', target: 'docs', upserted: 3, replaced: 0, deleted: 2, after, ok: false };
}

describe('sync report after the writes', () => {
  it('names what is still missing and still differing, with ids, and what to run', () => {
    const after = check({ added: ['n1', 'n2'], changed: [{ id: 'c1', fields: ['document'] }] });
    const lines = syncLines([synced(after)], { dryRun: false, pruned: true, out: null });
    expect(lines[0]).toMatch(/^✗ docs/);
    expect(lines).toContain('    verify     ✗ the target still differs from the source (it changed during the sync?):');
    expect(lines).toContain('      still missing   2: n1, n2 (run sync again to send them)');
    expect(lines).toContain('      still differing 1: c1 (document) (run sync again to send them)');
  });

  it('names what is still on the target and not on the source, when pruning', () => {
    const gone = Array.from({ length: 11 }, (_, i) => `g${i}`);
    const lines = syncLines([synced(check({ removed: gone }))], { dryRun: false, pruned: true, out: null });
    expect(lines).toContain('      still on the target, not on the source 11: g0, g1, g2, g3, g4, … (run sync --prune again to delete them)');
  });

  it('says the target\'s version of a changed record was replaced by the source\'s', () => {
    const entry = { ...synced(check()), ...check({ changed: [{ id: 'c1', fields: ['document'] }] }) };
    expect(syncLines([entry], { dryRun: false, pruned: false, out: null })).toContain("    changed    1 (the target's version replaced by the source's): c1 (document)");
    expect(syncLines([entry], { dryRun: true, pruned: false, out: null })).toContain("    changed    1 (the target's version would be replaced by the source's): c1 (document)");
  });

  it('after a declined prune: the records kept, in words that claim no reason, and no "matches"', () => {
    const entry = { ...synced(check({ removed: ['x'] })), ...check({ removed: ['x'] }) };
    const lines = syncLines([entry], { dryRun: false, pruned: false, pruneDeclined: true, out: null });
    expect(lines).toContain('    kept       1 record on the target that is not on the source, as you answered (sync --prune deletes it)');
    expect(lines.at(-1)).toBe('Kept, as you answered: 1 record on the target that the source does not have. The rest was synced; the target does not match the source while it is there.');
  });
});

describe('the --prune confirmation', () => {
  it('names the collection, the first ids and counts in words, and claims no reason the source lacks them', () => {
    expect(prunePrompt([{ target: 'docs', count: 1, firstIds: ['r7'] }], 'http://localhost:8000')).toBe(
      '1 record is on the target (http://localhost:8000) but not on the source (the source deleted it, or something wrote it to the target since), in "docs": r7. Delete it from the target? (No: the rest is synced and this record is kept.)',
    );
  });

  it('names each collection with its own count when there are several', () => {
    const removals = [
      { target: 'docs', count: 30, firstIds: ['a', 'b', 'c'] },
      { target: 'notes', count: 1, firstIds: ['x'] },
    ];
    expect(prunePrompt(removals, 'http://localhost:8000')).toBe(
      '31 records are on the target (http://localhost:8000) but not on the source (the source deleted them, or something wrote them to the target since), 30 in "docs": a, b, c, …; 1 in "notes": x. Delete them from the target? (No: the rest is synced and these are kept.)',
    );
  });
});
