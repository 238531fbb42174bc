/**
 * Prompts that keep the user's work: the backup files in the folder are offered, Tab completes
 * a path, a near miss gets "Did you mean", what was typed stays after an error, and a pasted
 * line's trailing newline submits it. Real files in a temp folder; no server is needed.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';
import { KEY, press, select, tick, typeLine, waitForFrame } from '../helpers/ink.js';
import { mountWizard, standingOn, tempDir, testServices, type Mounted } from './harness.js';

let dir = '';
let app: Mounted | undefined;
beforeAll(async () => {
  dir = await tempDir();
  await writePythonRowsJson(join(dir, 'chromadb_backup.json'), 'cro_audit_issues', makeRecords(40, { dim: 8 }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});
afterEach(() => {
  app?.stop();
  app = undefined;
});

async function atBackupPrompt(): Promise<Mounted> {
  app = mountWizard(testServices({ dir, env: {} }), standingOn('export'));
  await waitForFrame(app, 'Where is your data?');
  await select(app, 'I already have a backup file');
  await waitForFrame(app, 'Path of the backup file');
  return app;
}

describe('the backup path prompt', () => {
  it('offers the backup file in the folder: Enter alone takes it', async () => {
    const app = await atBackupPrompt();
    // Wrapped to the terminal's width: compare the words.
    expect(app.lastFrame()?.replace(/\s+/g, ' ')).toContain('Backup files here: chromadb_backup.json (Enter takes chromadb_backup.json; Tab completes)');
    await press(app, KEY.enter);
    expect(await waitForFrame(app, 'Continue to step 2')).toContain('40 records');
  });

  it('Tab completes a path', async () => {
    const app = await atBackupPrompt();
    await press(app, 'chromadb_b');
    await waitForFrame(app, 'chromadb_b');
    await press(app, '\t');
    await waitForFrame(app, (frame) => frame.split('\n').some((line) => line.startsWith('chromadb_backup.json')));
    await press(app, KEY.enter);
    expect(await waitForFrame(app, 'Continue to step 2')).toContain('40 records');
  });

  it('a near miss: the text stays, "Did you mean" names the file, and Tab fills it in', async () => {
    const app = await atBackupPrompt();
    await typeLine(app, 'chromadb_backup.jsn');
    const failed = await waitForFrame(app, 'Did you mean chromadb_backup.json?');
    expect(failed.split('\n').some((line) => line.startsWith('chromadb_backup.jsn'))).toBe(true);
    await press(app, '\t');
    await waitForFrame(app, (frame) => frame.split('\n').some((line) => line.startsWith('chromadb_backup.json')));
    await press(app, KEY.enter);
    expect(await waitForFrame(app, 'Continue to step 2')).toContain('40 records');
  });

  it('a pasted path with its line break submits at once', async () => {
    const app = await atBackupPrompt();
    await press(app, `${join(dir, 'chromadb_backup.json')}\n`);
    expect(await waitForFrame(app, 'Continue to step 2')).toContain('40 records');
  });
});

describe('the server URL prompt', () => {
  it('keeps the URL after a failed test: "Edit the URL" starts from it', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    app = mountWizard(testServices({ dir, env: {} }), standingOn('connect'));
    await waitForFrame(app, 'Server URL');
    await typeLine(app, url);
    await waitForFrame(app, 'hidden; Enter for none');
    await typeLine(app, '');
    await waitForFrame(app, 'Edit the URL or token');
    await select(app, 'Edit the URL or token');
    const edit = await waitForFrame(app, 'Server URL');
    expect(edit.split('\n').some((line) => line.startsWith(url))).toBe(true);
  });

  it('keeps what was typed after an error', async () => {
    app = mountWizard(testServices({ dir, env: {} }), standingOn('connect'));
    await waitForFrame(app, 'Server URL');
    await typeLine(app, 'ftp://chroma.example.com');
    const failed = await waitForFrame(app, 'Chroma speaks http or https');
    await tick(20);
    expect(failed.split('\n').some((line) => line.startsWith('ftp://chroma.example.com'))).toBe(true);
  });
});

describe('Esc on a question of step 1', () => {
  it('goes back to "Where is your data?" from the API key and from the backup path', async () => {
    app = mountWizard(testServices({ dir, env: {} }), standingOn('export'));
    await waitForFrame(app, 'Where is your data?');
    await select(app, 'Export from Chroma Cloud (type your API key)');
    await waitForFrame(app, 'Chroma Cloud API key (hidden');
    await press(app, KEY.escape);
    await waitForFrame(app, 'Where is your data?');
    await select(app, 'I already have a backup file');
    await waitForFrame(app, 'Path of the backup file');
    await press(app, KEY.escape);
    expect(await waitForFrame(app, 'Where is your data?')).toContain('I already have a backup file');
  });
});

