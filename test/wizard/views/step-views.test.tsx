/** Steps 2–7 and the end, each view alone with its props: the frames a user meets, at three widths. */
import { describe, expect, it } from 'vitest';
import { endpoint } from '../../../src/core/chroma/endpoint.js';
import type { CheckResult } from '../../../src/core/chroma/probe.js';
import { MigrateError } from '../../../src/core/util/errors.js';
import { emptyVerdict } from '../../../src/core/sinks/verifier/checker.js';
import type { ImportResult } from '../../../src/core/operations/import.js';
import type { VerifyResult } from '../../../src/core/operations/verify.js';
import { ConnectView, type ConnectPhase } from '../../../src/wizard/steps/connect/ConnectView.js';
import { tokenOffers } from '../../../src/wizard/token-offers.js';
import { DeployView } from '../../../src/wizard/steps/deploy/DeployView.js';
import { DoneView } from '../../../src/wizard/steps/done/DoneView.js';
import { ImportView, type ImportPhase } from '../../../src/wizard/steps/import/ImportView.js';
import { IngestView } from '../../../src/wizard/steps/ingest/IngestView.js';
import { VerifyView } from '../../../src/wizard/steps/verify/VerifyView.js';
import { ignore, renderView, WIDTHS } from './render-view.js';

const URL = 'https://chroma-production-7f3a.up.railway.app:443';
const summary = { path: '/b.json', format: 'python-rows', gzip: false, createdAt: null, typedNumbers: true, bytes: 1, collections: [] } as const;
const importResult: ImportResult = {
  summary: { ...summary, collections: [] },
  batchSize: 100,
  notes: [],
  collections: [
    { source: 'cro_audit_issues', collection: 'cro_audit_issues', expected: 1177, count: 1177, missing: 0, resumedFrom: 0, action: 'recreated', leftOut: [], differences: [] },
  ],
};
const equal = { ...emptyVerdict('cro_audit_issues', 1177), exists: true, count: 1177, compared: 1177, recall: { k: 10, sampled: 20, recall: 0.97, efSearch: 100, low: false, missedIds: [] }, ok: true };
const lowRecall = { ...equal, recall: { ...equal.recall, recall: 0.62, low: true } };
const missing = { ...equal, count: 1170, compared: 1170, missing: 7, missingIds: ['id-0001', 'id-0002', 'id-0003'], ok: false };
const verified = (entries: VerifyResult['collections']): VerifyResult => ({ summary: { ...summary, collections: [] }, collections: entries, ok: entries.every((entry) => entry.ok) });
const importView = (phase: ImportPhase) => (
  <ImportView phase={phase} targetUrl={URL} progress={{ phase: '', bars: [{ label: 'cro_audit_issues', done: 600, total: 1177, rate: 90 }] }} on={{ exists: ignore, confirmDelete: ignore, space: ignore, finished: ignore, failed: ignore, cancelled: ignore }} />
);

const deployOn = { host: ignore, deployed: ignore, choose: ignore, port: ignore };

describe.each(WIDTHS)('at %i columns', (columns) => {
  it('step 2: the Railway essentials with the token', async () => {
    expect(await renderView(<DeployView phase={{ name: 'guide', host: 'railway', token: 'TEST-TOKEN-0123456789abcdef', kept: { kept: true, written: true, backup: null } }} on={deployOn} />, columns)).toMatchSnapshot();
  });

  it('step 2: the token could not be kept in .env: where it lives instead', async () => {
    const why = 'it already points your app at a self-hosted server (CHROMA_HOST), which would be sent this token from now on';
    const frame = await renderView(<DeployView phase={{ name: 'guide', host: 'railway', token: 'TEST-TOKEN-0123456789abcdef', kept: { kept: false, why } }} on={deployOn} />, columns);
    expect(frame.replace(/\s+/g, ' ')).toContain("find it in Railway, in your proxy service's Variables (CHROMA_AUTH_TOKEN)");
    expect(frame).toMatchSnapshot();
  });

  it('step 2: the local server\'s port, offered, and taken', async () => {
    expect(await renderView(<DeployView phase={{ name: 'port', suggested: 8000 }} on={deployOn} />, columns)).toMatchSnapshot('offered');
    const taken = 'Port 8000 is in use by another program on this machine. Your .env points at it: step 4 points it at the port you choose here.';
    const frame = await renderView(<DeployView phase={{ name: 'port', suggested: 8001, problem: taken }} on={deployOn} />, columns);
    expect(frame).toContain('Enter for 8001; Esc goes back');
    expect(frame).toMatchSnapshot('taken');
  });

  it('step 3: a failed check with its fix', async () => {
    const checks: CheckResult[] = [
      { id: 'heartbeat', title: 'Reachable', status: 'pass', detail: 'answered in 40 ms' },
      { id: 'auth', title: 'Token', status: 'fail', detail: 'the server refused the token (403)', fix: 'Check CHROMA_AUTH_TOKEN against the token the proxy expects.' },
    ];
    const phase: ConnectPhase = { name: 'finished', target: endpoint({ url: URL }), notes: [], checks, from: 'typed' };
    expect(await renderView(<ConnectView phase={phase} checks={checks} offers={[]} on={{ url: ignore, offer: ignore, token: ignore, finished: ignore }} />, columns)).toMatchSnapshot();
  });

  it('step 3: a token in .env this wizard did not make: offered as such, nothing focused', async () => {
    const { offers, preselect } = tokenOffers(URL, { envToken: 'set-by-hand' });
    const phase: ConnectPhase = { name: 'token', url: URL, notes: [] };
    const frame = await renderView(<ConnectView phase={phase} checks={[]} offers={offers} preselect={preselect} on={{ url: ignore, offer: ignore, token: ignore, finished: ignore }} />, columns);
    expect(frame).not.toContain('❯');
    expect(frame).toMatchSnapshot();
  });

  it('step 5: importing, and the collection that exists', async () => {
    expect(await renderView(importView({ name: 'running' }), columns)).toMatchSnapshot('running');
    expect(await renderView(importView({ name: 'exists', collection: 'cro_audit_issues', records: 1177 }), columns)).toMatchSnapshot('exists');
  });

  it('step 5: importing several collections shows the whole run above the bars', async () => {
    const bars = [
      { label: 'audits_2024', done: 40, total: 40, rate: 80 },
      { label: 'audits_2025', done: 10, total: 40, rate: 60 },
    ];
    const whole = '41 of 100 collections · 1,650 of 4,000 records · 410/s · ETA 6s';
    const frame = await renderView(<ImportView phase={{ name: 'running' }} targetUrl={URL} progress={{ phase: '', bars, whole }} on={{ exists: ignore, confirmDelete: ignore, space: ignore, finished: ignore, failed: ignore, cancelled: ignore }} />, columns);
    expect(frame).toContain('41 of 100 collections');
    expect(frame).toMatchSnapshot('several');
  });

  it('step 5: deleting asks for the name; the space question preselects nothing', async () => {
    expect(await renderView(importView({ name: 'confirm-delete', collection: 'cro_audit_issues', records: 1177, mistyped: 'cro_audit' }), columns)).toMatchSnapshot('confirm');
    const space = await renderView(importView({ name: 'space', collection: 'docs', source: 'docs' }), columns);
    expect(space).not.toContain('❯');
    expect(space).toMatchSnapshot('space');
  });

  it('step 5: finished, and failed with the fix', async () => {
    expect(await renderView(importView({ name: 'finished', result: importResult }), columns)).toMatchSnapshot('finished');
    const again = <ImportView phase={{ name: 'cancelled', collection: 'cro_audit_issues' }} targetUrl={URL} again progress={{ phase: '', bars: [] }} on={{ exists: ignore, confirmDelete: ignore, space: ignore, finished: ignore, failed: ignore, cancelled: ignore }} />;
    expect(await renderView(again, columns)).toMatchSnapshot('cancelled, done again');
    const error = new MigrateError('SERVER', 'The server refused the batch: 413 Payload too large.', 'Import again with a smaller batch.');
    expect(await renderView(importView({ name: 'failed', error }), columns)).toMatchSnapshot('failed');
  });

  it('step 6: every record equal, and records missing', async () => {
    expect(await renderView(<VerifyView phase={{ name: 'finished', result: verified([equal]) }} bars={[]} onChoose={ignore} />, columns)).toMatchSnapshot('equal');
    expect(await renderView(<VerifyView phase={{ name: 'finished', result: verified([missing]) }} bars={[]} onChoose={ignore} />, columns)).toMatchSnapshot('missing');
  });

  it('step 6 on a short screen: the collection that failed is shown, the equal ones go below', async () => {
    const others = ['alpha_docs', 'beta_docs', 'gamma_docs'].map((name) => ({ ...equal, collection: name }));
    const frame = await renderView(<VerifyView phase={{ name: 'finished', result: verified([...others, { ...missing, collection: 'zeta_docs' }]) }} bars={[]} onChoose={ignore} />, columns, 14);
    expect(frame).toContain('✗ zeta_docs');
    const alpha = frame.indexOf('✓ alpha_docs');
    expect(alpha < 0 || frame.indexOf('✗ zeta_docs') < alpha).toBe(true);
  });

  it('step 6: every record equal with a low recall: a warning, no re-import', async () => {
    const frame = await renderView(<VerifyView phase={{ name: 'finished', result: verified([lowRecall]) }} bars={[]} onChoose={ignore} />, columns, 18);
    expect(frame).not.toContain('Re-import');
    expect(frame).toMatchSnapshot();
  });

  it('step 7: a command running, its output in a window', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `ingested audit ${i + 1} of 30 into cro_audit_issues (a long line of output that goes on)`);
    const view = (
      <IngestView phase={{ name: 'running', command: 'python3 scripts/ingest_audits.py --local-dir sample_audits/' }} targetUrl={URL} cwd="/home/ana/project" output={{ lines, printed: 30, log: '.chroma-migrate/ingest.log' }} on={{ choose: ignore, command: ignore }} />
    );
    expect(await renderView(view, columns)).toMatchSnapshot();
  });

  it('the end, with a local server to keep or stop', async () => {
    const server = { url: 'http://localhost:8000', path: '/home/ana/project/chroma-data', port: 8000, pid: 4242 };
    expect(await renderView(<DoneView verified risk="unknown" needs={[]} shown={[]} server={server} envPointsHere leaving={null} onChoose={ignore} />, columns, 18)).toMatchSnapshot();
  });
});
