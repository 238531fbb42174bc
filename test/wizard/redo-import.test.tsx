/**
 * "Do this step again" on a finished import does it again: the collection already there is asked
 * about (append, cancel, or delete after its name is typed), and the records are sent anew — not
 * "1,177 of 1,177 (resumed from 1,177)" with nothing sent.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupWriter } from '../../src/core/backup/jsonl/writer.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { makeRecords } from '../helpers/fixtures.js';
import { select, typeLine, waitForFrame } from '../helpers/ink.js';
import { importAgain, mountWizard, standingOn, testServices, useFolderAndServer } from './harness.js';

const world = useFolderAndServer();

async function writeBackup(path: string, name: string, records: number): Promise<void> {
  const writer = await BackupWriter.open(path);
  await writer.writeCollectionHeader({ name, metadata: null, space: 'l2', count: records, dimension: 4 });
  await writer.writeRecords(makeRecords(records, { dim: 4 }));
  await writer.writeCollectionEnd(name, records);
  await writer.finish();
}

/** The import step of a migration whose import finished: its Revisit screen. */
describe('step 5 done again', () => {
  it('asks about the collection, appends or recreates, and sends every record again', async () => {
    const backupPath = join(world.dir, 'again.jsonl');
    await writeBackup(backupPath, 'again_docs', 40);
    const target = endpoint({ url: world.url });
    const api = new ChromaApi(target);
    const services = testServices({ dir: world.dir, env: {} });

    const first = mountWizard(services, standingOn('import'), { backupPath, target });
    try {
      expect(await waitForFrame(first, 'Continue to step 6', 40_000)).toContain('again_docs: 40 of 40 records');
    } finally {
      first.stop();
    }
    const created = await api.findCollection('again_docs');

    // Append: the question first (nothing destructive preselected), then all 40 sent again.
    const append = await importAgain(services, { backupPath, target }, '40 records');
    try {
      const asked = await waitForFrame(append, 'already exists', 40_000);
      expect(asked).toMatch(/❯ Append: upsert the backup into it/);
      await select(append, 'Append');
      const done = await waitForFrame(append, 'Continue to step 6', 40_000);
      expect(done).toContain('again_docs: 40 records appended; the collection holds 40');
      expect(done).not.toContain('resumed');
    } finally {
      append.stop();
    }

    // Cancel: no error and no CLI advice; the earlier import may stand.
    const cancel = await importAgain(services, { backupPath, target }, '40 records');
    try {
      await waitForFrame(cancel, 'already exists', 40_000);
      await select(cancel, 'Cancel');
      const cancelled = await waitForFrame(cancel, 'was left as it is', 40_000);
      expect(cancelled).toContain('Keep the earlier import');
      expect(cancelled).not.toContain('--if-exists');
    } finally {
      cancel.stop();
    }

    // Recreate: only after the name is typed; a new collection with every record.
    const recreate = await importAgain(services, { backupPath, target }, '40 records');
    try {
      await waitForFrame(recreate, 'already exists', 40_000);
      await select(recreate, 'Delete it');
      await waitForFrame(recreate, 'Type its name');
      await typeLine(recreate, 'again_docs');
      const done = await waitForFrame(recreate, 'Continue to step 6', 40_000);
      expect(done).toContain('again_docs: 40 of 40 records (recreated)');
      const after = await api.findCollection('again_docs');
      expect(after?.id).not.toBe(created?.id);
      expect(await api.count(after!.id)).toBe(40);
    } finally {
      recreate.stop();
    }
  });
});

describe('step 5 done again with several collections on the target', () => {
  it('asks about each collection in turn, each answer its own, and finishes', async () => {
    const backupPath = join(world.dir, 'several.jsonl');
    const names = ['sev_one', 'sev_two', 'sev_three'];
    const writer = await BackupWriter.open(backupPath);
    for (const name of names) {
      await writer.writeCollectionHeader({ name, metadata: null, space: 'l2', count: 30, dimension: 4 });
      await writer.writeRecords(makeRecords(30, { dim: 4, prefix: name }));
      await writer.writeCollectionEnd(name, 30);
    }
    await writer.finish();
    const target = endpoint({ url: world.url });
    const services = testServices({ dir: world.dir, env: {} });
    const first = mountWizard(services, standingOn('import'), { backupPath, target });
    try {
      await waitForFrame(first, 'Continue to step 6', 40_000);
    } finally {
      first.stop();
    }

    const again = await importAgain(services, { backupPath, target }, '90 records');
    try {
      const asked = new Set<string>();
      for (let turn = 0; turn < names.length; turn++) {
        // The next question: about a collection not answered yet.
        const frame = await waitForFrame(again, (text) => text.includes('already exists') && names.some((name) => !asked.has(name) && text.includes(`${name} ·`)), 40_000);
        asked.add(names.find((name) => !asked.has(name) && frame.includes(`${name} ·`))!);
        await select(again, 'Append');
      }
      const done = await waitForFrame(again, 'Continue to step 6', 40_000);
      for (const name of names) expect(done).toContain(`${name}: 30 records appended`);
    } finally {
      again.stop();
    }
  });
});
