/**
 * Step 4 after an import into a tenant and database of their own (recorded in the migration
 * state): .env gets CHROMA_HOST_TENANT and CHROMA_HOST_DATABASE, or the app connects to the
 * default database and sees none of its collections; the Done screen's client code reads them.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { emptyState, saveState } from '../../src/core/state/store.js';
import { DoneView } from '../../src/wizard/steps/done/DoneView.js';
import { KEY, press, tick, waitForFrame } from '../helpers/ink.js';
import { ignore, renderView } from './views/render-view.js';
import { mountWizard, standingOn, tempDir, testServices, type Mounted } from './harness.js';

const URL = 'http://localhost:8000';
let dir = '';
let mounted: Mounted | undefined;

beforeAll(async () => (dir = await tempDir()));
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  mounted?.stop();
  mounted = undefined;
});

async function atStep4(name: string, env: string, places: string[]): Promise<{ app: Mounted; envFile: string }> {
  const envDir = join(dir, name);
  await mkdir(envDir, { recursive: true });
  const envFile = join(envDir, '.env');
  await writeFile(envFile, env);
  const saved = emptyState();
  saved.imports = places.map((place, index) => ({
    backup: join(envDir, 'backup.jsonl.gz'),
    fingerprint: 'f',
    target: `${URL}/${place}`,
    collection: `docs${index}`,
    sourceCollection: `docs${index}`,
    batchSize: 100,
    committed: 10,
    total: 10,
    done: true,
    updatedAt: new Date().toISOString(),
  }));
  await saveState(join(envDir, 'state.json'), saved);
  mounted = mountWizard(testServices({ dir: envDir }), standingOn('env'), { target: endpoint({ url: URL }) });
  await tick();
  return { app: mounted, envFile };
}

describe('step 4 after an import into tenant acme, database prod_docs', () => {
  it('writes CHROMA_HOST_TENANT and CHROMA_HOST_DATABASE beside CHROMA_HOST, showing them first', async () => {
    const { app, envFile } = await atStep4('placed', 'CHROMA_API_KEY=ck-cloud-key\n', ['acme/prod_docs']);
    const frame = await waitForFrame(app, 'Write it');
    expect(frame).toContain('+ CHROMA_HOST_TENANT=acme');
    expect(frame).toContain('+ CHROMA_HOST_DATABASE=prod_docs');
    await press(app, KEY.enter);
    await waitForFrame(app, '✓ 4. Update .env');
    expect(parse(await readFile(envFile))).toMatchObject({ CHROMA_HOST: 'localhost', CHROMA_HOST_TENANT: 'acme', CHROMA_HOST_DATABASE: 'prod_docs' });
  });

  it('in the default ones, removes a tenant and database .env still names', async () => {
    const { app } = await atStep4('default', 'CHROMA_HOST_TENANT=acme\nCHROMA_HOST_DATABASE=prod_docs\n', ['default_tenant/default_database']);
    const frame = await waitForFrame(app, 'Write it');
    expect(frame).toContain('- CHROMA_HOST_TENANT=acme');
    expect(frame).toContain('- CHROMA_HOST_DATABASE=prod_docs');
  });

  it('a file of several databases: the tenant alone, no database guessed', async () => {
    const { app } = await atStep4('several', '', ['acme/one', 'acme/two']);
    const frame = await waitForFrame(app, 'Write it');
    expect(frame).toContain('+ CHROMA_HOST_TENANT=acme');
    expect(frame).not.toContain('CHROMA_HOST_DATABASE');
  });

  it("the Done screen's client code reads them", async () => {
    const view = (place: { tenant?: string; database?: string }) => (
      <DoneView verified risk="unknown" needs={[]} shown={['python', 'js']} place={place} envPointsHere leaving={null} onChoose={ignore} />
    );
    const placed = await renderView(view({ tenant: 'acme', database: 'prod_docs' }), 120, 80);
    expect(placed).toContain('tenant=os.getenv("CHROMA_HOST_TENANT") or "default_tenant",');
    expect(placed).toContain("database: env.CHROMA_HOST_DATABASE || 'default_database',");
    expect(await renderView(view({}), 120, 80)).not.toContain('CHROMA_HOST_TENANT');
  });
});
