/** Shared bits for the backup tests: temp dirs, collecting iterators, asserting BAD_BACKUP. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { MigrateError, type ErrorCode } from '../../src/core/util/errors.js';
import { readRecords, type ReadOptions } from '../../src/core/backup/read.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { BackupWriter } from '../../src/core/backup/jsonl/writer.js';

/** A fresh directory under os.tmpdir(); remove it with removeDir in afterAll. */
export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'chroma-migrate-backup-'));
}

export async function removeDir(dir: string): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** Every record of a collection, embeddings as number arrays (our format reads them as float32) for toEqual. */
export async function readAll(path: string, collection: string, options?: ReadOptions): Promise<BackupRecord[]> {
  const out: BackupRecord[] = [];
  for await (const batch of readRecords(path, collection, options)) {
    for (const record of batch) out.push({ ...record, embedding: record.embedding && Array.from(record.embedding) });
  }
  return out;
}

/** Awaits a rejection and checks it is a MigrateError with the code and a message matching. */
export async function expectMigrateError(work: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<MigrateError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(MigrateError);
  const migrate = error as MigrateError;
  expect(migrate.code).toBe(code);
  expect(migrate.message).toMatch(message);
  return migrate;
}

/** Our own format with these collections (4-d, l2), each whole: what a reader test reads back. */
export async function writeOwnBackup(path: string, collections: Array<{ name: string; records: BackupRecord[] }>): Promise<void> {
  const writer = await BackupWriter.open(path, { source: { url: 'http://localhost:8000' } });
  for (const { name, records } of collections) {
    await writer.writeCollectionHeader({ name, metadata: null, space: 'l2', count: records.length, dimension: 4 });
    await writer.writeRecords(records);
    await writer.writeCollectionEnd(name, records.length);
  }
  await writer.finish();
}
