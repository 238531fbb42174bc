/**
 * The wizard at 60, 80 and 120 columns (24 rows, as most terminals open): no line wider than
 * the terminal (a wider frame wraps, and every redraw then leaves a copy in scrollback), the
 * live part shorter than the terminal (at its height Ink clears the screen and the scrollback),
 * nothing cut with "…", and long output in a window with a count of what is hidden.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { emptyState } from '../../src/core/state/store.js';
import { wizardStateFrom } from '../../src/wizard/machine.js';
import { useChromaServer } from '../helpers/chroma.js';
import { select, tick, typeLine, waitForFrame } from '../helpers/ink.js';
import { mountWizard, stable, standingOn, tempDir, testServices, type Mounted } from './harness.js';

const chroma = useChromaServer();
let dir = '';
let app: Mounted | undefined;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  // A server or log the wizard started may still be closing its files: rm retries ENOTEMPTY.
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});
afterEach(() => {
  app?.stop();
  app = undefined;
});

const ROWS = 24;
const LONG_URL = 'https://chroma-production-7f3a.up.railway.app:443';

/** The live part: all of the frame, from the header down (nothing is printed once above it). */
function liveLines(frame: string): string[] {
  return frame.split('\n');
}

/** The frame's words in order, without box borders or line breaks: what wrapping must keep. */
const words = (frame: string) => frame.replace(/[│╭╮╰╯─]/g, ' ').replace(/\s+/g, ' ');

function expectFits(frame: string, columns: number, { live = false } = {}): void {
  const lines = live ? liveLines(frame) : frame.split('\n');
  for (const line of lines) expect([...line].length, `wider than ${columns}: "${line}"`).toBeLessThanOrEqual(columns);
  expect(liveLines(frame).length, `live frame:\n${liveLines(frame).join('\n')}`).toBeLessThan(ROWS);
  // "…" only in our own "… N more" notes and in a command's output lines (all of which are in
  // the log file), never as a cut in our own words.
  for (const line of lines) if (line.trimEnd().endsWith('…')) expect(line).toMatch(/^\s*…|^ {2}│ /);
}

describe.each([60, 80, 120])('at %i columns', (columns) => {
  const size = { columns, rows: ROWS };

  it('the resume screen, with long details in the checklist', async () => {
    const saved = emptyState(new Date(0));
    saved.backupPath = join(dir, 'chromadb_backup.json');
    saved.targetUrl = LONG_URL;
    saved.steps = {
      export: { status: 'done', detail: '1,177 records in chromadb_backup.json' },
      deploy: { status: 'done', detail: 'railway' },
      connect: { status: 'done', detail: LONG_URL },
      env: { status: 'done', detail: 'backup .env.backup-2026-11-30T02-14-36Z' },
      import: { status: 'done', detail: '1,177 records' },
      verify: { status: 'failed', detail: 'cro_audit_issues: 1,170 of 1,177 equal' },
    };
    app = mountWizard(testServices({ dir, env: {} }), wizardStateFrom(saved), {}, size);
    const frame = await waitForFrame(app, 'Resume at step 6');
    expectFits(frame, columns);
    expect(words(frame)).toContain(`Test the connection (${LONG_URL})`);
    expect(stable(frame, [dir])).toMatchSnapshot();
  });

  it('a failed connection test: each check and its fix wrapped under its text', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    app = mountWizard(testServices({ dir, env: {} }), standingOn('connect'), {}, size);
    await waitForFrame(app, 'Server URL');
    await typeLine(app, url);
    await waitForFrame(app, (frame) => words(frame).includes('Enter for none'));
    await typeLine(app, '');
    const frame = await waitForFrame(app, 'Edit the URL or token');
    expectFits(frame, columns);
    expect(words(frame)).toContain('it is not running (yet), or the port is wrong.');
    expect(stable(frame, [dir])).toMatchSnapshot();
  });

  it("step 7: a command's long output shows in a window, and all of it is in the log file", async () => {
    const command = `${JSON.stringify(process.execPath)} -e "for (let i = 1; i <= 120; i++) console.log('ingested audit batch ' + i + ' of 120, a line long enough to need cutting at sixty columns')"`;
    const services = testServices({ dir, env: {}, overrides: { statePath: join(dir, `state-${columns}.json`) } });
    app = mountWizard(services, standingOn('ingest'), { target: endpoint({ url: chroma.url }), ingestCommand: command }, size);
    await waitForFrame(app, 'Run again');
    await select(app, 'Run again');
    const frame = await waitForFrame(app, 'The command finished (exit code 0).', 30_000);
    expectFits(frame, columns);
    expect(frame).toContain('ingested audit batch 120 of 120');
    const joined = words(frame);
    expect(joined).toMatch(/… 1\d\d lines above \(all of it in ingest-[\d-TZ]+\.log\)/);
    expect(joined).toMatch(/Its whole output \(120 lines\): ingest-[\d-TZ]+\.log/);
    const log = /ingest-[\d-TZ]+\.log/.exec(joined)?.[0] ?? '';
    const text = await readFile(join(dir, log), 'utf8');
    expect(text.split('\n').filter((line) => line.startsWith('ingested audit batch'))).toHaveLength(120);
  });
});

it('follows a resize: the next frame fits the new width; a screen too tall for it gets a one-line checklist', async () => {
  app = mountWizard(testServices({ dir, env: {} }), standingOn('deploy'), {}, { columns: 120, rows: ROWS });
  await waitForFrame(app, 'Where will your Chroma server run?');
  app.resize({ columns: 60, rows: ROWS });
  await tick(50);
  // The header was printed once, at 120 columns, into the scrollback; what is redrawn fits 60.
  expectFits(app.lastFrame() ?? '', 60, { live: true });
  expect(app.lastFrame()).toContain('╭──────────────────────────────────────────────────────────╮');
  await select(app, 'Railway');
  const guide = await waitForFrame(app, 'Step 2 of 7: Deploy a self-hosted Chroma');
  expectFits(guide, 60, { live: true });
  expect(guide).toContain('TEST-TOKEN-0123456789abcdefghijklmnopqrstu');
});
