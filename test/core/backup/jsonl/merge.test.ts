import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup, readRecords } from '../../../../src/core/backup/read.js';
import { mergeDatabaseFiles } from '../../../../src/core/backup/jsonl/merge.js';
import { rewriteWithout } from '../../../../src/core/backup/jsonl/rewrite.js';
import { BackupWriter } from '../../../../src/core/backup/jsonl/writer.js';
import type { BackupRecord } from '../../../../src/core/model/record.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-merge-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function records(prefix: string, count: number): BackupRecord[] {
  return Array.from({ length: count }, (_, index) => ({ id: `${prefix}-${index}`, document: `doc ${index}`, metadata: { n: 2.0, at: prefix }, embedding: [index, 1, 2], uri: null }));
}

async function single(path: string, collections: Array<[string, BackupRecord[]]>): Promise<void> {
  const writer = await BackupWriter.open(path, { source: { url: 'http://x' } });
  for (const [name, rows] of collections) {
    await writer.writeCollectionHeader({ name, metadata: null, space: 'cosine', count: rows.length, dimension: 3 });
    await writer.writeRecords(rows);
    await writer.writeCollectionEnd(name, rows.length);
  }
  await writer.finish();
}

async function readAll(path: string, collection: Parameters<typeof readRecords>[1]): Promise<BackupRecord[]> {
  const all: BackupRecord[] = [];
  for await (const batch of readRecords(path, collection)) all.push(...batch);
  return all;
}

describe('one backup for several databases (format 4)', () => {
  it('keeps the same collection name of two databases apart, each read by its database', async () => {
    await single(join(dir, 'a.jsonl'), [['shared', records('a', 3)], ['only_a', records('oa', 2)]]);
    await single(join(dir, 'b.jsonl.gz'), [['shared', records('b', 4)]]);
    const out = join(dir, 'all.jsonl.gz');
    const written = await mergeDatabaseFiles([{ database: 'alpha', path: join(dir, 'a.jsonl') }, { database: 'beta', path: join(dir, 'b.jsonl.gz') }], out, { url: 'http://x' });
    expect(written).toEqual([
      { database: 'alpha', name: 'shared', count: 3 },
      { database: 'alpha', name: 'only_a', count: 2 },
      { database: 'beta', name: 'shared', count: 4 },
    ]);
    const summary = await inspectBackup(out);
    expect(summary.collections.map((header) => [header.database, header.name, header.count])).toEqual([
      ['alpha', 'shared', 3],
      ['alpha', 'only_a', 2],
      ['beta', 'shared', 4],
    ]);
    const beta = await readAll(out, { name: 'shared', database: 'beta' });
    expect(beta.map((record) => record.id)).toEqual(['b-0', 'b-1', 'b-2', 'b-3']);
    // Typed numbers survive the merge: 2.0 stays a float.
    expect(String(JSON.stringify(beta[0]!.metadata))).toContain('"at":"b"');
    await expect(readAll(out, { name: 'shared', database: 'gamma' })).rejects.toThrow(/"gamma\/shared" is not in the backup/);
  });

  it('still reads a version 3 file (one database, no database on its collection lines)', async () => {
    const path = join(dir, 'v3.jsonl');
    const lines = [
      { format: 'chroma-migrate-backup', version: 3, created_at: '2026-11-20T10:00:00.000Z', source: { url: 'http://x', database: 'default_database' } },
      { type: 'collection', name: 'docs', metadata: null, space: 'l2', count: 1, dimension: 2, configuration: null, schema: null },
    ];
    const text = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n{"type":"record","id":"r1","document":"d","uri":null,"embedding":"AACAPwAAAEA=","metadata":{"f":2.0}}\n{"type":"end","name":"docs","count":1}\n{"type":"end-file","collections":1}\n`;
    await writeFile(path, text);
    const summary = await inspectBackup(path);
    expect(summary.collections.map((header) => [header.database, header.name, header.count])).toEqual([[undefined, 'docs', 1]]);
    const read = await readAll(path, 'docs');
    expect(read.map((record) => [record.id, Array.from(record.embedding!)])).toEqual([['r1', [1, 2]]]);
  });

  it('a file named .gz is gzip when merged and when rewritten, whatever its temporary name', async () => {
    await single(join(dir, 'g.jsonl'), [['docs', records('g', 3)]]);
    const isGzip = async (path: string) => [...(await readFile(path)).subarray(0, 2)].join(',') === '31,139';
    const merged = join(dir, 'merged.jsonl.gz');
    await mergeDatabaseFiles([{ database: 'alpha', path: join(dir, 'g.jsonl') }], merged, { url: 'http://x' });
    expect(await isGzip(merged)).toBe(true);
    // How an export leaves out what the source deleted meanwhile: its .partial rewritten in place.
    const partial = join(dir, 'export.jsonl.gz.partial');
    await single(partial, [['docs', records('p', 3)]]);
    await rewriteWithout(partial, new Map([['docs', { ids: new Set(['p-1']), count: 2 }]]), { url: 'http://x' });
    expect(await isGzip(partial)).toBe(true);
    expect((await readAll(partial, 'docs')).map((record) => record.id)).toEqual(['p-0', 'p-2']);
  });
});
