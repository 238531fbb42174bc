/**
 * Step 5 with a backup holding sparse vectors, which a self-hosted server cannot store: the
 * wizard says so in words, writes nothing, and imports the rest only when asked to.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupWriter } from '../../src/core/backup/writer.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { startTestServer } from '../helpers/chroma.js';
import { select, waitForFrame } from '../helpers/ink.js';
import { mountWizard, standingOn, tempDir, testServices } from './harness.js';

let dir = '';
let chroma: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  dir = await tempDir();
  chroma = await startTestServer();
});
afterAll(async () => {
  await chroma?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('step 5: a backup with sparse vectors', () => {
  it('stops before writing, says why, and imports without them only when the user picks that', async () => {
    const backupPath = join(dir, 'hybrid.jsonl');
    const writer = await BackupWriter.open(backupPath);
    await writer.writeCollectionHeader({ name: 'hybrid_docs', metadata: null, space: 'l2', count: 2, dimension: 2 });
    const sparse = { '#type': 'sparse_vector' as const, indices: [1], values: [0.5], tokens: null };
    await writer.writeRecords([
      { id: 'a', document: 'x', metadata: { splade: sparse, topic: 't' }, embedding: [0.1, 0.2], uri: null },
      { id: 'b', document: 'y', metadata: { topic: 'u' }, embedding: [0.3, 0.4], uri: null },
    ]);
    await writer.writeCollectionEnd('hybrid_docs', 2);
    await writer.finish();
    const target = endpoint({ url: chroma.server.url });

    const app = mountWizard(testServices({ dir, env: {} }), standingOn('import'), { backupPath, target });
    try {
      const stopped = await waitForFrame(app, 'Import without the sparse vectors', 40_000);
      expect(stopped).toContain('sparse vectors in metadata "splade" (1 record)');
      expect(stopped).toContain('Nothing was written');
      // Nothing destructive or lossy is preselected.
      expect(stopped).toMatch(/❯ Back to the connection test/);
      expect(await new ChromaApi(target).findCollection('hybrid_docs')).toBeNull();

      await select(app, 'Import without the sparse vectors');
      const finished = await waitForFrame(app, 'Continue to step 6', 40_000);
      expect(finished).toContain('hybrid_docs: 2 of 2 records');
      expect(finished).toContain('Leaving out sparse vectors');
    } finally {
      app.stop();
    }
  });
});
