/**
 * Step 5 with a backup of several databases, into a target holding `docs` in default_database
 * and in staging: "Delete it and recreate" names the collection with its database, asks for that
 * name typed, and deletes and recreates staging/docs only — on the first import and when the step
 * is done again. default_database/docs keeps its id, its records and their contents.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeDatabaseFiles } from '../../src/core/backup/jsonl/merge.js';
import { BackupWriter } from '../../src/core/backup/jsonl/writer.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { ensureDatabase } from '../../src/core/chroma/databases.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { makeRecords } from '../helpers/fixtures.js';
import { select, typeLine, waitForFrame } from '../helpers/ink.js';
import { importAgain, mountWizard, standingOn, testServices, useFolderAndServer } from './harness.js';

const world = useFolderAndServer();

async function databaseFile(path: string, name: string, records: number, prefix: string): Promise<void> {
  const writer = await BackupWriter.open(path, { source: { url: 'http://x' } });
  await writer.writeCollectionHeader({ name, metadata: null, space: 'l2', count: records, dimension: 4 });
  await writer.writeRecords(makeRecords(records, { dim: 4, prefix }));
  await writer.writeCollectionEnd(name, records);
  await writer.finish();
}

/** The import step of a migration whose import finished: its Revisit screen. */
/** Answers the questions until staging/docs is asked about: the other collection is appended to. */
async function deleteStagingDocs(app: ReturnType<typeof mountWizard>): Promise<void> {
  for (;;) {
    const asked = await waitForFrame(app, 'already exists', 40_000);
    if (asked.includes('staging/docs')) break;
    await select(app, 'Append');
  }
  await select(app, 'Delete it');
  await waitForFrame(app, 'Type its name');
  // The bare name is in two databases here: it deletes nothing.
  await typeLine(app, 'docs');
  expect(await waitForFrame(app, 'nothing was deleted')).toContain('"docs" is not "staging/docs"');
  await typeLine(app, 'staging/docs');
}

describe('step 5, a backup of several databases, a collection in a database other than the default', () => {
  it('deletes and recreates it there only, never the same name in default_database', async () => {
    await databaseFile(join(world.dir, 'staging.jsonl'), 'docs', 12, 'stage');
    await databaseFile(join(world.dir, 'main.jsonl'), 'faq', 3, 'faq');
    const backupPath = join(world.dir, 'all.jsonl');
    await mergeDatabaseFiles([{ database: 'staging', path: join(world.dir, 'staging.jsonl') }, { database: 'default_database', path: join(world.dir, 'main.jsonl') }], backupPath, { url: 'http://x' });

    const target = endpoint({ url: world.url });
    const main = new ChromaApi(target);
    await ensureDatabase(endpoint({ url: world.url, database: 'staging' }), 'staging');
    const staging = new ChromaApi(endpoint({ url: world.url, database: 'staging' }));
    const mainDocs = await main.createCollection({ name: 'docs', metadata: null, space: 'l2' });
    await main.upsert(mainDocs.id, makeRecords(5, { dim: 4, prefix: 'keep' }), { base64: true });
    const before = await main.get(mainDocs.id, { ids: ['keep-000000'], include: ['documents', 'metadatas'] });
    expect(before.documents?.[0]).toEqual(expect.any(String));
    const stagingDocs = await staging.createCollection({ name: 'docs', metadata: null, space: 'l2' });
    await staging.upsert(stagingDocs.id, makeRecords(7, { dim: 4, prefix: 'old' }), { base64: true });

    const untouched = async () => {
      const docs = await main.findCollection('docs');
      expect(docs?.id).toBe(mainDocs.id);
      expect(await main.count(mainDocs.id)).toBe(5);
      const read = await main.get(mainDocs.id, { ids: ['keep-000000'], include: ['documents', 'metadatas'] });
      expect(read.ids).toEqual(['keep-000000']);
      expect(read.documents).toEqual(before.documents);
      expect(read.metadatas).toEqual(before.metadatas);
    };
    const recreatedInStaging = async (previousId: string) => {
      const docs = await staging.findCollection('docs');
      expect(docs?.id).not.toBe(previousId);
      expect(await staging.count(docs!.id)).toBe(12);
      expect((await staging.get(docs!.id, { ids: ['old-000000', 'stage-000000'], include: [] })).ids).toEqual(['stage-000000']);
      return docs!.id;
    };

    const services = testServices({ dir: world.dir, env: {} });
    const first = mountWizard(services, standingOn('import'), { backupPath, target });
    let stagingId = stagingDocs.id;
    try {
      const asked = await waitForFrame(first, 'already exists', 40_000);
      expect(asked).toContain('staging/docs · 7 records');
      await deleteStagingDocs(first);
      const done = await waitForFrame(first, 'Continue to step 6', 40_000);
      expect(done).toContain('staging/docs: 12 of 12 records (recreated)');
      await untouched();
      stagingId = await recreatedInStaging(stagingId);
    } finally {
      first.stop();
    }

    // "Do this step again": the same question, the same database.
    const again = await importAgain(services, { backupPath, target }, 'done');
    try {
      await deleteStagingDocs(again);
      // Done again, default_database/faq is asked about too (after staging, as the file orders them).
      for (;;) {
        const frame = await waitForFrame(again, /Continue to step 6|already exists/, 40_000);
        if (frame.includes('Continue to step 6')) break;
        expect(frame).toContain('default_database/faq');
        await select(again, 'Append');
      }
      await untouched();
      await recreatedInStaging(stagingId);
    } finally {
      again.stop();
    }
  });
});
