/**
 * The wizard's own local server stops when the wizard exits; a resumed migration that was using
 * it must find it running again, on the same folder (the imported data) and port.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { freePort, type RunningServer } from '../../src/core/local-server/chroma-server.js';
import { MigrationStateSchema } from '../../src/core/state/schema.js';
import { STEP_IDS } from '../../src/core/state/steps.js';
import { emptyState } from '../../src/core/state/store.js';
import { restartLocalServer } from '../../src/wizard/run.js';
import { tempDir, testServices } from './harness.js';

let dir = '';
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

describe('resuming a migration that used the wizard\'s local server', () => {
  it('starts it again on the same folder and port; the data imported before is there', async () => {
    const port = await freePort();
    const path = join(dir, 'chroma-data');
    const services = testServices({ dir });
    // The first run: the server the deploy step started, with a collection imported into it.
    const first = await services.startChromaServer({ path, port });
    await new ChromaApi(endpoint({ url: first.url })).createCollection({ name: 'kept', metadata: null, space: null });
    await first.stop();

    const saved = MigrationStateSchema.parse({
      ...emptyState(),
      steps: { export: { status: 'done' }, deploy: { status: 'done' }, connect: { status: 'done' }, env: { status: 'done' } },
      localServer: { path, port },
    });
    let again: RunningServer | null = null;
    try {
      again = await restartLocalServer(saved, services);
      expect(again?.port).toBe(port);
      expect(again?.path).toBe(path);
      const names = (await new ChromaApi(endpoint({ url: again!.url })).allCollections()).map((info) => info.name);
      expect(names).toContain('kept');
    } finally {
      await again?.stop();
    }
  });

  it('starts nothing when the migration never had one, or is finished', () => {
    const services = testServices({ dir });
    expect(restartLocalServer(emptyState(), services)).toBeNull();
    const finished = { ...emptyState(), steps: Object.fromEntries(STEP_IDS.map((id) => [id, { status: 'done' as const }])), localServer: { path: join(dir, 'x'), port: 1 } };
    expect(restartLocalServer(finished, services)).toBeNull();
  });
});
