/**
 * Ctrl-C after a command's work was done (its report printed, its run recorded): nothing is
 * stopped, the exit code stays the command's, and one line says so, instead of a full ✓ report
 * under "Stopping at a safe point…" or an exit of 130 that reads as an interruption. Both
 * moments: while the last words are printed (the command's signal aborted), and after the
 * command has ended, before the process has (the executable's own Ctrl-C handler).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { main } from '../../src/cli/main.js';
import { useChromaServer } from '../helpers/chroma.js';
import { BUNDLE } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

const LATE = 'Ctrl-C came after everything above was done: nothing was stopped.';
const chroma = useChromaServer();
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-late-ctrl-c-'));
  const api = new ChromaApi(endpoint({ url: chroma.url }));
  const info = await api.createCollection({ name: 'late', metadata: null, space: 'l2' });
  await api.upsert(info.id, makeRecords(20, { dim: 4, prefix: 'late' }), { base64: true });
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Ctrl-C after the work was done', () => {
  it('while the last words are printed: exit 0, and one line says nothing was stopped', async () => {
    const stop = new AbortController();
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      // The export's ✓ is printed: its work is over, its collection lines still to come.
      if (text.includes('✓ Wrote') && !stop.signal.aborted) stop.abort(new Error('interrupted'));
    });
    const code = await main(['export', '--source-url', chroma.url, '--out', join(dir, 'a.jsonl'), '--state', join(dir, 'a-state.json')], {
      stdout: new PassThrough(),
      stderr,
      stdinIsTTY: false,
      env: {},
      signal: stop.signal,
    });
    expect(code, text).toBe(0);
    expect(text).toContain('  late: 20 records');
    expect(text.trimEnd().endsWith(LATE)).toBe(true);
  }, 60_000);

  it('after the command ended, before the process did: exit 0, the one line, no "Stopping"', async () => {
    // Ctrl-C at the last moment the process can still hear it: once its work is over and nothing is left to run.
    const preload = join(dir, 'late-sigint.mjs');
    await writeFile(preload, "let sent = false;\nprocess.on('beforeExit', () => { if (!sent) { sent = true; process.kill(process.pid, 'SIGINT'); setTimeout(() => undefined, 200); } });\n");
    const child = spawn(process.execPath, ['--import', preload, BUNDLE, 'export', '--source-url', chroma.url, '--out', join(dir, 'b.jsonl'), '--state', join(dir, 'b-state.json')], { cwd: dir, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    expect(code, output).toBe(0);
    expect(output.trimEnd().endsWith(LATE)).toBe(true);
    expect(output).not.toContain('Stopping at a safe point');
  }, 60_000);
});
