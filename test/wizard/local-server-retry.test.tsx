/**
 * The wizard's own local server dies during step 5: each attempt of the import (the first, and
 * "Try again" after a failure) starts it again on the same folder and port, as a resume does,
 * says so, and the import finishes there. Killed before the attempt: a kill timed to land
 * mid-import lost the race to a fast import.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupWriter } from '../../src/core/backup/jsonl/writer.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { freePort, startChromaServer, type RunningServer } from '../../src/core/local-server/chroma-server.js';
import { makeRecords } from '../helpers/fixtures.js';
import { waitForFrame } from '../helpers/ink.js';
import { mountWizard, standingOn, testServices, useFolderAndServer } from './harness.js';

const world = useFolderAndServer();
const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

async function writeBackup(path: string, name: string, records: number): Promise<void> {
  const writer = await BackupWriter.open(path);
  await writer.writeCollectionHeader({ name, metadata: null, space: 'l2', count: records, dimension: 4 });
  await writer.writeRecords(makeRecords(records, { dim: 4 }));
  await writer.writeCollectionEnd(name, records);
  await writer.finish();
}

describe('step 5: the wizard\'s local server died during the import', () => {
  it.each([60, 80])('at %i columns: the attempt starts it again, says so, and the import finishes', async (columns) => {
    const backupPath = join(world.dir, `retry-${columns}.jsonl`);
    await writeBackup(backupPath, 'retry_docs', 3000);
    const started: RunningServer[] = [];
    const services = testServices({
      dir: world.dir,
      env: {},
      overrides: {
        startChromaServer: (options) =>
          startChromaServer(options).then((server) => {
            servers.push(server);
            started.push(server);
            return server;
          }),
      },
    });
    const server = await services.startChromaServer({ path: join(world.dir, `data-${columns}`), port: await freePort() });
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
    const app = mountWizard(services, standingOn('import'), { backupPath, target: endpoint({ url: server.url }), localServer: server }, { columns, rows: 24 });
    try {
      const done = (await waitForFrame(app, 'Continue to step 6', 120_000)).replace(/\s+/g, ' ');
      expect(done).toContain(`The local Chroma server this wizard started had stopped: started it again at ${server.url}, on the same data folder.`);
      expect(started).toHaveLength(2);
      expect(started[1]?.port).toBe(server.port);
      const api = new ChromaApi(endpoint({ url: server.url }));
      const collection = await api.findCollection('retry_docs');
      expect(await api.count(collection!.id)).toBe(3000);
    } finally {
      app.stop();
    }
  }, 300_000);
});
