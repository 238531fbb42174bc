/** Shared bits for the backup tests: temp dirs, collecting iterators, asserting BAD_BACKUP. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { MigrateError, type ErrorCode } from '../../src/core/util/errors.js';
import { readRecords, type ReadOptions } from '../../src/core/backup/read.js';
import type { BackupRecord } from '../../src/core/model/record.js';

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
