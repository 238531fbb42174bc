/**
 * From 40 to 120 columns, the header, the options and the messages wrap at word boundaries and
 * keep their indent: no word is cut ("Esc bac" / "k"), no line is wider than the terminal, and
 * the header is drawn again at a new width after a resize.
 */
import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MigrateError } from '../../src/core/util/errors.js';
import { ImportView } from '../../src/wizard/steps/import/ImportView.js';
import { tick, waitForFrame } from '../helpers/ink.js';
import { mountWizard, stable, tempDir, testServices, type Mounted } from './harness.js';
import { ignore, renderView } from './views/render-view.js';

const WIDTHS = [40, 50, 60, 80, 120] as const;
const ROWS = 24;
let dir = '';
let app: Mounted | undefined;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});
afterEach(() => {
  app?.stop();
  app = undefined;
});

/** Every word of the header's parts is whole on one line. */
function expectHeaderWhole(frame: string, columns: number): void {
  const lines = frame.split('\n');
  const header = lines.slice(0, lines.findIndex((line) => line.startsWith('╭') || line.startsWith('Migration Status')));
  expect(header.join(' · ').split(' · ')).toEqual(['chroma-migrate', ...(columns >= 80 ? ['Cloud → your own server'] : []), 'Esc back', 'Ctrl-C save and quit']);
}

function expectFits(frame: string, columns: number): void {
  for (const line of frame.split('\n')) expect([...line].length, `wider than ${columns}: "${line}"`).toBeLessThanOrEqual(columns);
  expect(frame.split('\n').length, frame).toBeLessThan(ROWS);
}

const on = { exists: ignore, confirmDelete: ignore, space: ignore, finished: ignore, failed: ignore, cancelled: ignore };
const URL = 'https://chroma-production-7f3a.up.railway.app:443';

describe.each(WIDTHS)('at %i columns', (columns) => {
  it('the first screen: the header in whole parts, the words wrapped under their indent', async () => {
    app = mountWizard(testServices({ dir, env: {} }), undefined, {}, { columns, rows: ROWS });
    const frame = stable(await waitForFrame(app, 'Begin'), [dir]);
    expectFits(frame, columns);
    expectHeaderWhole(frame, columns);
    expect(frame).toMatchSnapshot();
  });

  it('a question whose options wrap, and an error with its fix', async () => {
    const question = await renderView(<ImportView phase={{ name: 'exists', collection: 'cro_audit_issues', records: 15_000 }} targetUrl={URL} progress={{ phase: '', bars: [] }} on={on} />, columns);
    // A wrapped option continues under its text, not under the marker.
    const lines = question.split('\n');
    const append = lines.findIndex((line) => line.startsWith('❯ Append'));
    if (!lines[append]!.endsWith('overwritten)')) expect(lines[append + 1]).toMatch(/^ {2}\S/);
    expect(question.replace(/\s+/g, ' ')).toContain('Append: upsert the backup into it (same ids are overwritten)');
    const error = new MigrateError('SERVER', `${URL} refused the batch: 413 Payload too large.`, 'Import again with a smaller batch (--batch 50).');
    const failed = await renderView(<ImportView phase={{ name: 'failed', error }} targetUrl={URL} progress={{ phase: '', bars: [] }} on={on} />, columns);
    expect(failed.replace(/\s+/g, ' ')).toContain('Import again with a smaller batch (--batch 50).');
    expect(`${question}\n---\n${failed}`).toMatchSnapshot();
  });
});

it('draws the header again after a resize, at the new width', async () => {
  app = mountWizard(testServices({ dir, env: {} }), undefined, {}, { columns: 80, rows: ROWS });
  expectHeaderWhole(await waitForFrame(app, 'Begin'), 80);
  app.resize({ columns: 50, rows: ROWS });
  await tick(200);
  const frame = app.lastFrame() ?? '';
  expectFits(frame, 50);
  expectHeaderWhole(frame, 50);
  expect(frame.split('\n')[0]).toBe('chroma-migrate · Esc back · Ctrl-C save and quit');
});
