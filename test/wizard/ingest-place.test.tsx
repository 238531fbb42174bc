/**
 * Step 7 after an import into tenant acme, database prod_docs (recorded in the migration state,
 * and what step 4 wrote in .env): the wizard counts there and tells the command the same place,
 * so a script that writes where CHROMA_HOST_TENANT/CHROMA_HOST_DATABASE say is counted.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { ensureDatabase } from '../../src/core/chroma/databases.js';
import { ensureTenant } from '../../src/core/chroma/tenant.js';
import { emptyState, saveState } from '../../src/core/state/store.js';
import { select, waitForFrame } from '../helpers/ink.js';
import { mountWizard, standingOn, testServices, useFolderAndServer, type Mounted } from './harness.js';

const env = useFolderAndServer();
let app: Mounted | undefined;
afterEach(() => {
  app?.stop();
  app = undefined;
});

/** Adds `n` records to `name` where the environment's CHROMA_HOST_TENANT and CHROMA_HOST_DATABASE say. */
const ADD = `
const { ChromaClient } = await import(${JSON.stringify(resolve('node_modules/chromadb/dist/chromadb.mjs'))});
const client = new ChromaClient({ host: process.env.CHROMA_HOST, port: Number(process.env.CHROMA_PORT), tenant: process.env.CHROMA_HOST_TENANT, database: process.env.CHROMA_HOST_DATABASE });
const [name, n] = process.argv.slice(2);
const col = await client.getOrCreateCollection({ name, embeddingFunction: null });
const ids = Array.from({ length: Number(n) }, (_, i) => 'id-' + i);
await col.add({ ids, embeddings: ids.map((_, i) => [i, 1, 2, 3]) });
`;

describe('step 7 after an import into another tenant and database', () => {
  it('counts where the import went, and the command is told that place', async () => {
    const placed = endpoint({ url: env.url, tenant: 'acme', database: 'prod_docs' });
    await ensureTenant(placed);
    await ensureDatabase(placed, 'prod_docs');
    await writeFile(join(env.dir, 'add.mjs'), ADD);
    // The state the wizard's services read.
    const statePath = join(env.dir, 'state.json');
    const saved = emptyState();
    saved.imports = [
      { backup: join(env.dir, 'b.jsonl.gz'), fingerprint: 'f', target: `${env.url}/acme/prod_docs`, collection: 'docs', sourceCollection: 'docs', batchSize: 100, committed: 1, total: 1, done: true, updatedAt: new Date().toISOString() },
    ];
    await saveState(statePath, saved);
    const services = testServices({ dir: env.dir, env: {} });
    const command = `${JSON.stringify(process.execPath)} add.mjs placed_notes 3`;
    app = mountWizard(services, standingOn('ingest'), { target: endpoint({ url: env.url }), ingestCommand: command }, { columns: 100, rows: 40 });
    await waitForFrame(app, 'Run again');
    await select(app, 'Run again');
    const frame = await waitForFrame(app, 'The command finished (exit code 0).', 30_000);
    expect(frame.replace(/\s+/g, ' ')).toContain('placed_notes: new → 3 (+3)');
    // Where the app that step 4 pointed there reads, and not in the default database.
    const there = await new ChromaApi(placed).findCollection('placed_notes');
    expect(there && (await new ChromaApi(placed).count(there.id))).toBe(3);
    expect(await new ChromaApi(endpoint({ url: env.url })).findCollection('placed_notes')).toBeNull();
  });
});
