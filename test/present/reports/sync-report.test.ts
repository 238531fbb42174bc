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
    changed: { size: changed.length, slice: (start, end) => changed.slice(start, end).map((entry) => entry.id), first: changed },
    misListed: ids(parts.misListed ?? []),
    settings: [],
  };
}

function synced(after: SyncCheck): CollectionSync {
  return { ...check(), collection: 'docs', target: 'docs', upserted: 3, deleted: 2, after, ok: false };
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

  it('names what is still on the target though gone from the source, when pruning', () => {
    const gone = Array.from({ length: 11 }, (_, i) => `g${i}`);
    const lines = syncLines([synced(check({ removed: gone }))], { dryRun: false, pruned: true, out: null });
    expect(lines).toContain('      still on the target, gone from the source 11: g0, g1, g2, g3, g4, … (run sync --prune again to delete them)');
  });
});

describe('the --prune confirmation', () => {
  it('names the collection, the first ids and counts in words', () => {
    expect(prunePrompt([{ target: 'docs', count: 1, firstIds: ['r7'] }], 'http://localhost:8000')).toBe('Delete 1 record that the source no longer has, from "docs" (r7), on http://localhost:8000?');
  });

  it('names each collection with its own count when there are several', () => {
    const removals = [
      { target: 'docs', count: 30, firstIds: ['a', 'b', 'c'] },
      { target: 'notes', count: 1, firstIds: ['x'] },
    ];
    expect(prunePrompt(removals, 'http://localhost:8000')).toBe('Delete 31 records that the source no longer has, 30 from "docs" (a, b, c, …), 1 from "notes" (x), on http://localhost:8000?');
  });
});
