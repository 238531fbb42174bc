import { describe, expect, it } from 'vitest';
import { existsChoices, existsQuestion } from '../../src/present/exists-choices.js';

describe('the question about a collection that already exists', () => {
  it('names the backup\'s own source, with the records there now and in the backup; nothing destructive comes first', () => {
    expect(existsQuestion({ collection: 'live', count: 102, inBackup: 100 })).toMatch(/"live" already exists .* 102 records\. It is where this backup was taken, and the backup holds 100 records of it/);
    const choices = existsChoices(102, 100);
    expect(choices[0]!.value).toBe('append');
    expect(choices.at(-1)).toEqual({ label: 'Delete it (102 records now, 100 in the backup) and recreate it, then import', value: 'recreate' });
  });

  it('says nothing of a source for another server', () => {
    expect(existsQuestion({ collection: 'docs', count: 5 })).toBe('Collection "docs" already exists on the target with 5 records. What now?');
    expect(existsChoices(5).at(-1)!.label).toBe('Delete it (5 records) and recreate it, then import');
  });
});
