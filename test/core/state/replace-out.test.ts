import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimOut, isOutTaken, writtenBySameDatabasesExport, writtenBySameExport } from '../../../src/core/state/replace-out.js';
import type { ExportCheckpoint } from '../../../src/core/state/schema.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-replace-out-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function checkpoint(out: string, source: string, collections: string[]): ExportCheckpoint {
  return { out, partial: `${out}.partial`, source, collections, finished: [], current: null, bytes: 0, done: true, updatedAt: '' };
}

describe('claimOut', () => {
  it('a new path is free; a file there is kept unless it is ours, --overwrite, or the person says yes', async () => {
    await claimOut(join(dir, 'new.jsonl.gz'), () => false, {});
    const there = join(dir, 'there.txt');
    await writeFile(there, 'x');
    const refused = await claimOut(there, () => false, {}).catch((error: unknown) => error);
    expect(isOutTaken(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'NEEDS_ANSWER', fix: 'Pick another --out, or add --overwrite to replace it.' });
    await claimOut(there, () => true, {});
    await claimOut(there, () => false, { overwrite: true });
    const asked: string[] = [];
    await claimOut(there, () => false, { decideReplace: async (path) => Boolean(asked.push(path)) });
    expect(asked).toEqual([there]);
    const declined = await claimOut(there, () => false, { decideReplace: async () => false }).catch((error: unknown) => error);
    expect(isOutTaken(declined)).toBe(true);
  });
});

describe('whose file it is', () => {
  it('the same export: the same file and source, and no collection left out now', () => {
    const saved = [checkpoint('/b.jsonl.gz', 'http://s/t/d', ['a', 'b'])];
    expect(writtenBySameExport(saved, '/b.jsonl.gz', ['http://s/t/d'], ['a', 'b', 'c'])).toBe(true);
    expect(writtenBySameExport(saved, '/b.jsonl.gz', ['http://s/t/d'], ['b'])).toBe(false);
    expect(writtenBySameExport(saved, '/b.jsonl.gz', ['http://other/t/d'], ['a', 'b'])).toBe(false);
    expect(writtenBySameExport(saved, '/c.jsonl.gz', ['http://s/t/d'], ['a', 'b'])).toBe(false);
  });

  it('several databases: every part of this tenant, of a database taken again, none of its collections left out', async () => {
    const saved = [checkpoint(join('/all.jsonl.gz.databases', 'one.jsonl.gz'), 'http://s/t/one', ['a']), checkpoint(join('/all.jsonl.gz.databases', 'two.jsonl.gz'), 'http://s/t/two', ['b'])];
    const all = async (database: string) => (database === 'one' ? ['a'] : database === 'two' ? ['b', 'c'] : null);
    expect(await writtenBySameDatabasesExport(saved, '/all.jsonl.gz', ['http://s/t'], all)).toBe(true);
    expect(await writtenBySameDatabasesExport(saved, '/all.jsonl.gz', ['http://s/t'], async (database) => (database === 'one' ? ['a'] : null))).toBe(false);
    expect(await writtenBySameDatabasesExport(saved, '/all.jsonl.gz', ['http://s/t'], async () => ['b'])).toBe(false);
    expect(await writtenBySameDatabasesExport(saved, '/all.jsonl.gz', ['http://s/other'], all)).toBe(false);
    expect(await writtenBySameDatabasesExport(saved, '/else.jsonl.gz', ['http://s/t'], all)).toBe(false);
  });
});
