import { describe, expect, it } from 'vitest';
import { describeImport } from '../../../src/present/reports/import-summary.js';
import type { CollectionImportResult } from '../../../src/core/sinks/target/session.js';

const number = (n: number) => n.toLocaleString('en-US');
const entry = (over: Partial<CollectionImportResult>): CollectionImportResult => ({
  source: 'docs',
  collection: 'docs',
  expected: 12_000,
  count: 12_000,
  missing: 0,
  resumedFrom: 0,
  action: 'created',
  leftOut: [],
  differences: [],
  ...over,
});

describe('describeImport', () => {
  it('says what the collection holds against what it should', () => {
    expect(describeImport(entry({}), number)).toBe('docs: 12,000 of 12,000 records (created)');
    expect(describeImport(entry({ count: 11_880, missing: 120 }), number)).toBe('docs: 11,880 of 12,000 records (created) — 120 ids from the backup are missing');
  });

  it('never reads "4,009 of 4,000": a collection holding more than the backup says both', () => {
    expect(describeImport(entry({ count: 12_009, action: 'resumed', resumedFrom: 12_000 }), number)).toBe('docs: 12,000 of 12,000 records (resumed from 12,000); the collection holds 12,009');
  });

  it('says apart the records sent, then deleted at the source, instead of counting them in', () => {
    expect(describeImport(entry({ deletedAtSource: 120 }), number)).toBe('docs: 12,000 records (created; 120 more were sent, then deleted at the source)');
    expect(describeImport(entry({ deletedAtSource: 120, resumedFrom: 4_000, action: 'resumed' }), number)).toBe('docs: 12,000 records (resumed from 4,000; 120 more were sent, then deleted at the source)');
  });

  it('still shows a shortfall beside records deleted at the source', () => {
    expect(describeImport(entry({ deletedAtSource: 120, count: 11_990, missing: 10 }), number)).toBe(
      'docs: 11,990 of 12,000 records (created; 120 more were sent, then deleted at the source) — 10 ids from the backup are missing',
    );
  });
});
