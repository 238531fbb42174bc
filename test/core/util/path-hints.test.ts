import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupFilesIn, completePath, didYouMean, editDistance } from '../../../src/core/util/path-hints.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-paths-'));
  for (const name of ['chromadb_backup.json', 'chroma-backup-2026.jsonl.gz', 'package.json', 'notes.txt', 'cloud.jsonl']) await writeFile(join(dir, name), '');
  await mkdir(join(dir, 'backups'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('help typing a backup path', () => {
  it('finds the backup files in a folder by name, not package.json', () => {
    expect(backupFilesIn(dir)).toEqual(['chroma-backup-2026.jsonl.gz', 'chromadb_backup.json', 'cloud.jsonl']);
  });

  it('completes a unique prefix, a folder with its slash, and stops at the common part of several', () => {
    expect(completePath(dir, 'chromadb_')).toEqual({ value: 'chromadb_backup.json', candidates: [] });
    expect(completePath(dir, 'backu').value).toBe(`backups${sep}`);
    const several = completePath(dir, 'chroma');
    expect(several.value).toBe('chroma');
    expect(several.candidates).toEqual(['chroma-backup-2026.jsonl.gz', 'chromadb_backup.json']);
    expect(completePath(dir, 'zzz')).toEqual({ value: 'zzz', candidates: [] });
  });

  it('a near miss gets the file meant; a far one gets nothing', () => {
    expect(didYouMean(dir, 'chromadb_backup.jsn')).toBe('chromadb_backup.json');
    expect(didYouMean(dir, 'ChromaDB_Backup.json')).toBe('chromadb_backup.json');
    expect(didYouMean(dir, join(dir, 'cloud.jsonll'))).toBe(join(dir, 'cloud.jsonl'));
    expect(didYouMean(dir, 'something-else.json')).toBeNull();
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
