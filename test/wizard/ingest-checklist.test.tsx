/**
 * Step 7 done: the checklist line names each collection the command changed, at the widths a
 * terminal opens at. Real server, real command (it adds records through the JS client).
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { seedSmallCollections } from '../helpers/seed.js';
import { select, waitForFrame } from '../helpers/ink.js';
import { mountWizard, stable, standingOn, testServices, useFolderAndServer, type Mounted } from './harness.js';

const env = useFolderAndServer();
let app: Mounted | undefined;
afterEach(() => {
  app?.stop();
  app = undefined;
});

/** Adds `n` records to `name` (created when missing), on the server CHROMA_HOST/CHROMA_PORT name. */
const ADD = `
const { ChromaClient } = await import(${JSON.stringify(resolve('node_modules/chromadb/dist/chromadb.mjs'))});
const client = new ChromaClient({ host: process.env.CHROMA_HOST, port: Number(process.env.CHROMA_PORT) });
const [name, n, tag] = process.argv.slice(2);
const col = await client.getOrCreateCollection({ name, embeddingFunction: null });
const ids = Array.from({ length: Number(n) }, (_, i) => tag + '-' + i);
await col.add({ ids, embeddings: ids.map((_, i) => [i, 1, 2, 3, 4, 5, 6, 7]) });
`;

describe.each([60, 80])('at %i columns', (columns) => {
  it('step 7 done: the checklist names each collection and what it gained', async () => {
    const script = join(env.dir, 'add.mjs');
    await writeFile(script, ADD);
    await seedSmallCollections(env.url, env.dir, [`audits_${columns}`], 2);
    const node = JSON.stringify(process.execPath);
    const command = `${node} add.mjs audits_${columns} 3 a && ${node} add.mjs notes_${columns} 4 b`;
    const services = testServices({ dir: env.dir, env: {}, overrides: { statePath: join(env.dir, `state-${columns}.json`) } });
    app = mountWizard(services, standingOn('ingest'), { target: endpoint({ url: env.url }), ingestCommand: command }, { columns, rows: 30 });
    await waitForFrame(app, 'Run again');
    await select(app, 'Run again');
    await waitForFrame(app, 'The command finished (exit code 0).', 30_000);
    await select(app, 'Continue');
    const frame = stable(await waitForFrame(app, (text) => text.includes('✓ 7.')), [env.dir]);
    const line = frame.replace(/\s*│\s*/g, ' ').replace(/\s+/g, ' ');
    expect(line).toContain(`audits_${columns}: 2 → 5 (+3); notes_${columns}: new → 4 (+4)`);
    // The checklist box, the line and its wrap.
    expect(frame.slice(0, frame.indexOf('╯') + 1)).toMatchSnapshot();
  });
});
