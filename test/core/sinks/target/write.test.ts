import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../../../src/core/chroma/endpoint.js';
import type { BackupRecord, CollectionHeader } from '../../../../src/core/model/record.js';
import { openTarget, type RecordFeed } from '../../../../src/core/sinks/target/session.js';
import { importCollection } from '../../../../src/core/sinks/target/write.js';
import { StateStore } from '../../../../src/core/state/store.js';
import { makeTempDir, removeDir } from '../../../helpers/backup.js';
import { useChromaServer } from '../../../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../../../helpers/fault-proxy.js';
import { generateRecords } from '../../../helpers/fixtures.js';

/**
 * A copy that reads every record back and counts the collection again moves on to its next
 * collection once every batch is committed, without waiting for the import's own count: the
 * collection's done save is queued at that point (the state store writes in order, so the next
 * collection's saves land with it or after), and it is saved not done when the count finds records missing.
 */
const chroma = useChromaServer();
let dir = '';
let proxy: FaultProxy;
let dropOne = false;
beforeAll(async () => {
  dir = await makeTempDir();
  // A server that stores one record less than it acknowledges, when asked to.
  proxy = await startFaultProxy(chroma.url, {
    alterBody: {
      paths: /\/upsert$/,
      change: (body) => (dropOne ? { ...body, ids: (body.ids as string[]).slice(1), embeddings: (body.embeddings as unknown[]).slice(1), documents: (body.documents as unknown[]).slice(1), metadatas: (body.metadatas as unknown[]).slice(1), uris: null } : body),
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await removeDir(dir);
});

interface Seen {
  countsAsked: number;
  savedDone: boolean | undefined;
}

async function importTold(name: string): Promise<{ seen: Seen | null; result: Awaited<ReturnType<typeof importCollection>>; doneAtEnd: boolean | undefined }> {
  const statePath = join(dir, `${name}-state.json`);
  const records = [...generateRecords(50, { dim: 8, seed: 5, prefix: name })];
  const header: CollectionHeader = { name, metadata: null, space: 'l2', count: records.length, dimension: 8 };
  const session = await openTarget({ target: endpoint({ url: proxy.url }), ifExists: 'abort', statePath });
  const savedDone = () => (JSON.parse(readFileSync(statePath, 'utf8')) as { imports: Array<{ collection: string; done: boolean }> }).imports.find((entry) => entry.collection === name)?.done;
  const countsOf = () => proxy.log.filter((entry) => entry.path.endsWith('/count')).length;
  const countsBefore = countsOf();
  let seen: { countsAsked: number; savedDone: Promise<boolean | undefined> } | null = null;
  const feed: RecordFeed = {
    backup: join(dir, 'backup.jsonl'),
    fingerprint: `copy of ${name}`,
    records: async function* (): AsyncGenerator<BackupRecord[]> {
      yield records;
    },
    onAllCommitted: () => {
      // What the copy saves next (its next collection's header) is queued after the done save:
      // once a save queued now is on disk, so is the collection's done.
      const next = StateStore.open(statePath).then((store) => store.update((state) => state));
      seen = { countsAsked: countsOf() - countsBefore, savedDone: next.then(savedDone) };
    },
  };
  const result = await importCollection(session, header, name, feed);
  const told = seen as { countsAsked: number; savedDone: Promise<boolean | undefined> } | null;
  return { seen: told && { countsAsked: told.countsAsked, savedDone: await told.savedDone }, result, doneAtEnd: savedDone() };
}

describe('told once every batch is committed', () => {
  it('before the count is asked, with the collection saved done; the count still follows', async () => {
    const { seen, result, doneAtEnd } = await importTold('whole');
    expect(seen).toEqual({ countsAsked: 0, savedDone: true });
    expect(result).toMatchObject({ expected: 50, count: 50, missing: 0 });
    expect(doneAtEnd).toBe(true);
  }, 120_000);

  it('a count that finds records missing saves the collection not done again', async () => {
    dropOne = true;
    try {
      const { seen, result, doneAtEnd } = await importTold('short');
      expect(seen).toEqual({ countsAsked: 0, savedDone: true });
      expect(result).toMatchObject({ expected: 50, count: 49, missing: 1 });
      expect(doneAtEnd).toBe(false);
    } finally {
      dropOne = false;
    }
  }, 120_000);
});
