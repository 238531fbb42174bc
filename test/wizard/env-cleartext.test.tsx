/**
 * Step 4 and a token for a plain http:// server on another machine: the rule `env set` applies
 * (refused without --insecure), put as a choice. Said plainly; nothing is focused, so Enter alone
 * writes nothing; the way back to an https:// address comes first, writing anyway is a choice.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { KEY, press, select, tick, waitForFrame } from '../helpers/ink.js';
import { mountWizard, standingOn, tempDir, testServices, type Mounted } from './harness.js';

let dir = '';
let mounted: Mounted | undefined;
const ENV = 'CHROMA_API_KEY=ck-cloud-key\n';
const TOKEN = 'TEST-TOKEN-0123456789abcdefghijklmnopqrstu';

beforeAll(async () => (dir = await tempDir()));
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  mounted?.stop();
  mounted = undefined;
});

async function atStep4(name: string): Promise<{ app: Mounted; envFile: string }> {
  const envDir = join(dir, name);
  await mkdir(envDir, { recursive: true });
  const envFile = join(envDir, '.env');
  await writeFile(envFile, ENV);
  mounted = mountWizard(testServices({ dir: envDir }), standingOn('env'), { target: endpoint({ url: 'http://chroma.internal.example:8000', token: TOKEN }) });
  await tick();
  return { app: mounted, envFile };
}

describe('step 4 with a token for a plain http:// server elsewhere', () => {
  it('says so, preselects nothing (Enter writes nothing), and goes back to step 3 for an https:// address', async () => {
    const { app, envFile } = await atStep4('back');
    const shown = await waitForFrame(app, 'clear text');
    expect(shown).toContain('is plain http');
    expect(shown).not.toContain('❯');
    await press(app, KEY.enter);
    await tick(50);
    expect(app.lastFrame()).not.toContain('Write it (the old file');
    expect(await readFile(envFile, 'utf8')).toBe(ENV);
    // The first arrow focuses the first choice.
    await press(app, KEY.down);
    await select(app, 'Back to step 3');
    await waitForFrame(app, '3. Test the connection ← you are here');
    expect(await readFile(envFile, 'utf8')).toBe(ENV);
  });

  it('writing anyway is a choice, then the usual question', async () => {
    const { app } = await atStep4('anyway');
    await waitForFrame(app, 'clear text');
    await press(app, KEY.down);
    await select(app, 'Write it anyway');
    expect(await waitForFrame(app, 'Write it (the old file is kept as a backup)?')).toContain('CHROMA_SSL=false');
  });
});
