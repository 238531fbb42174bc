import { describe, expect, it } from 'vitest';
import { emptyState } from '../../src/core/state/store.js';
import type { MigrationState } from '../../src/core/state/schema.js';
import { checklist, savedNotChecked } from '../../src/present/checklist.js';

function state(patch: Partial<MigrationState>): MigrationState {
  return { ...emptyState(new Date('2026-12-05T10:00:00Z')), ...patch };
}

const imported: MigrationState['imports'][number] = {
  backup: '/b/my backup.jsonl.gz', fingerprint: 'f', target: 'http://h:8000/default_tenant/staging', collection: 'docs',
  sourceCollection: 'docs', batchSize: 100, committed: 5, total: 5, done: true, updatedAt: '2026-12-05T10:00:00Z',
};

describe('status says its marks are saved, not checked', () => {
  it('says nothing of the servers before anything was written to a target', () => {
    expect(savedNotChecked(state({ steps: { export: { status: 'done' } } }))).toEqual([]);
  });

  it('names when it was verified and the command that checks the target now, in the imported database', () => {
    const saved = state({
      steps: { import: { status: 'done' }, verify: { status: 'done', at: '2026-12-05T10:21:12.000Z' } },
      backupPath: '/b/my backup.jsonl.gz',
      targetUrl: 'http://h:8000',
      imports: [imported],
    });
    expect(checklist(saved)[5]).toBe('[✓] 6. Verify');
    expect(savedNotChecked(saved)).toEqual([
      'Saved by the runs (last verified 2026-12-05 10:21 UTC); status does not ask the servers.',
      'To check the target as it is now:',
      "  chroma-migrate verify --input '/b/my backup.jsonl.gz' --url http://h:8000 --target-database staging",
    ]);
  });

  it('names the tenant too when every import went to one other than the default', () => {
    const saved = state({ steps: { import: { status: 'done' } }, backupPath: '/b/x.jsonl.gz', targetUrl: 'http://h:8000', imports: [{ ...imported, target: 'http://h:8000/team_b/default_database' }] });
    expect(savedNotChecked(saved).at(-1)).toBe('  chroma-migrate verify --input /b/x.jsonl.gz --url http://h:8000 --target-tenant team_b');
    const both = state({ ...saved, imports: [{ ...imported, target: 'http://h:8000/team_b/staging' }] });
    expect(savedNotChecked(both).at(-1)).toBe('  chroma-migrate verify --input /b/x.jsonl.gz --url http://h:8000 --target-tenant team_b --target-database staging');
  });

  it('leaves the database out when imports went to several, and the words out when the backup is not known', () => {
    const two = state({ steps: { import: { status: 'done' } }, backupPath: '/b/x.jsonl.gz', targetUrl: 'http://h:8000', imports: [imported, { ...imported, target: 'http://h:8000/default_tenant/other' }] });
    expect(savedNotChecked(two).at(-1)).toBe('  chroma-migrate verify --input /b/x.jsonl.gz --url http://h:8000');
    expect(savedNotChecked(state({ steps: { import: { status: 'done' } } })).at(-1)).toBe('To check the target as it is now: chroma-migrate verify --input BACKUP --url TARGET');
  });
});
