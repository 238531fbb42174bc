/**
 * Step 2 wrote a token for a hosted proxy into .env, then the user went back and chose a local
 * server, which takes none: step 4 keeps that token as a comment (with the usual backup) and
 * says so. A token the wizard did not write stays as it is.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { withDeployToken } from '../../src/core/state/deploy-token.js';
import { KEY, press, waitForFrame, waitUntil } from '../helpers/ink.js';
import { mountWizard, standingOn, testServices, useFolderAndServer } from './harness.js';

const world = useFolderAndServer();
const TOKEN = 'ck-step-two-made-this-0123456789abcdef';

async function atStepFour(name: string, columns: number, wizardWrote: boolean, resumed = false) {
  const dir = join(world.dir, name);
  await mkdir(dir, { recursive: true });
  const services = testServices({ dir, env: {} });
  await writeFile(services.envFile, `CHROMA_HOST=example.up.railway.app\nCHROMA_AUTH_TOKEN=${TOKEN}\n`);
  if (wizardWrote) await services.updateState((saved) => ({ ...saved, ...withDeployToken(saved, services.envFile, TOKEN) }));
  // A resume reads .env's token into the target; the state knows the local server step 2 started.
  if (resumed) await services.updateState((saved) => ({ ...saved, localServer: { path: join(dir, 'data'), port: Number(new URL(world.url).port) } }));
  const target = endpoint({ url: world.url, token: resumed ? TOKEN : undefined });
  const app = mountWizard(services, standingOn('env'), { target }, { columns, rows: 24 });
  return { app, services };
}

describe('step 4 after switching from a hosted server to a local one', () => {
  it.each([60, 80])('at %i columns: the token step 2 wrote is kept as a comment, and said', async (columns) => {
    const { app, services } = await atStepFour(`drop-${columns}`, columns, true);
    try {
      const frame = (await waitForFrame(app, 'Write it', 20_000)).replace(/\s+/g, ' ');
      expect(frame).toContain('- CHROMA_AUTH_TOKEN=');
      expect(frame).toContain('(kept as a comment)');
      expect(frame).toContain('CHROMA_AUTH_TOKEN is the token step 2 made for a hosted server; this server takes none, so it is kept as a comment.');
      expect(frame).not.toContain(TOKEN);
      await press(app, 'y');
      await waitUntil(async () => !/^CHROMA_AUTH_TOKEN=/m.test(await readFile(services.envFile, 'utf8')), 10_000, '.env written');
      expect(await readFile(services.envFile, 'utf8')).toMatch(/^# ?CHROMA_AUTH_TOKEN=/m);
    } finally {
      app.stop();
    }
  });

  it('after a resume (the token read into the target), the local server step 2 started still drops it', async () => {
    const { app } = await atStepFour('resumed', 80, true, true);
    try {
      const frame = (await waitForFrame(app, 'Write it', 20_000)).replace(/\s+/g, ' ');
      expect(frame).toContain('(kept as a comment)');
      expect(frame).not.toContain(TOKEN);
    } finally {
      app.stop();
    }
  });

  it('a token the wizard did not write is not touched', async () => {
    const { app } = await atStepFour('theirs', 80, false);
    try {
      const frame = await waitForFrame(app, 'Write it', 20_000);
      expect(frame).not.toContain('CHROMA_AUTH_TOKEN');
      await press(app, KEY.escape);
    } finally {
      app.stop();
    }
  });
});
