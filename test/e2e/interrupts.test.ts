/**
 * One interrupt path, tried as a user does it: the installed bundle (dist/bin/cli.mjs), Ctrl-C
 * (SIGINT to the node process itself, as a terminal sends it) at several moments of each long
 * command, and the source or the target killed mid-run. Every time: the right exit code, a few
 * lines of words, and never the bundle's minified source.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromaServer, type RunningServer } from '../../src/core/local-server/chroma-server.js';
import { BUNDLE } from '../helpers/cli.js';
import { COLLECTIONS_PATH } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const RECORDS = 30_000;

interface Run {
  child: ChildProcess;
  output: () => string;
  code: Promise<number | null>;
}

function runBundle(args: string[], cwd: string, extraNodeArgs: string[] = [], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [...extraNodeArgs, BUNDLE, ...args], { cwd, env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { child, output: () => output, code };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What every ending must look like: words, a few lines, nothing of the bundle's insides. */
function expectWords(output: string, tailFrom: RegExp): void {
  expect(output).not.toContain('chunk-');
  expect(output).not.toMatch(/\n\s+at /);
  expect(output).not.toContain('Node.js v');
  for (const line of output.split('\n')) expect(line.length, line.slice(0, 120)).toBeLessThan(300);
  const start = output.search(tailFrom);
  expect(start, output).toBeGreaterThanOrEqual(0);
  const tail = output.slice(start).trimEnd().split('\n');
  expect(tail.length, output).toBeLessThanOrEqual(5);
}

async function fill(url: string, name: string, count: number): Promise<void> {
  const base = new URL(COLLECTIONS_PATH, url).href;
  const created = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, get_or_create: true, configuration: { hnsw: { space: 'l2' } } }) });
  const { id } = (await created.json()) as { id: string };
  for (let start = 0; start < count; start += 2_000) {
    const ids: string[] = [];
    const embeddings: number[][] = [];
    const documents: string[] = [];
    for (let i = start; i < Math.min(count, start + 2_000); i++) {
      ids.push(`id-${i}`);
      embeddings.push(Array.from({ length: 16 }, (_, k) => Math.sin(i * 7 + k)));
      documents.push(`document number ${i}`);
    }
    const answer = await fetch(`${base}/${id}/upsert`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids, embeddings, documents }) });
    if (!answer.ok) throw new Error(await answer.text());
  }
}

describe('Ctrl-C and a vanished server end every long command in words', () => {
  let dir = '';
  let source: RunningServer;
  let target: RunningServer;
  // Reads slowed by 40 ms each (~6 s for the 300 pages, 2 in flight): a moment 3 s in is always
  // mid-work, however fast the export itself gets.
  let slowSource: FaultProxy;
  let backupFile = '';
  const paths = { source: '', target: '' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-interrupts-'));
    paths.source = join(dir, 'source');
    paths.target = join(dir, 'target');
    source = await startChromaServer({ path: paths.source });
    target = await startChromaServer({ path: paths.target });
    await fill(source.url, 'big', RECORDS);
    slowSource = await startFaultProxy(source.url, { delayMs: 40 });
    backupFile = join(dir, 'full.jsonl.gz');
    const exported = runBundle(['export', '--source-url', source.url, '--out', backupFile, '--state', join(dir, 'full-state.json')], dir);
    expect(await exported.code, exported.output()).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await slowSource?.close();
    await source?.stop();
    await target?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const slowReads = ['--page-size', '100', '--concurrency', '2'];
  const commands: Array<{ name: string; args: (work: string) => string[]; startedWhen: RegExp; moments?: number[] }> = [
    { name: 'export', args: (work) => ['export', '--source-url', slowSource.url, '--out', join(work, 'out.jsonl.gz'), '--state', join(work, 'state.json'), ...slowReads], startedWhen: /big: 30,000 records/ },
    {
      name: 'copy',
      args: (work) => ['copy', '--source-url', source.url, '--url', target.url, '--out', join(work, 'out.jsonl.gz'), '--collections', 'big', '--as', `copy_${work.slice(-6)}`.replace(/\W/g, '_'), '--if-exists', 'recreate', '--state', join(work, 'state.json'), '--page-size', '100'],
      startedWhen: /30,000 records/,
    },
    { name: 'backup', args: (work) => ['backup', '--dir', join(work, 'backups'), '--url', slowSource.url, '--page-size', '100', '--concurrency', '2'], startedWhen: /big: 30,000 records/ },
    {
      name: 'import',
      args: (work) => ['import', '--input', backupFile, '--url', target.url, '--as', `import_${work.slice(-6)}`.replace(/\W/g, '_'), '--if-exists', 'recreate', '--state', join(work, 'state.json'), '--batch', '200'],
      startedWhen: /Importing/,
    },
    // The backup was read from the source: verify it against the source, record by record.
    { name: 'verify', args: (work) => ['verify', '--input', backupFile, '--url', source.url, '--state', join(work, 'state.json')], startedWhen: /Checking/, moments: [0, 500, 1_000] },
    { name: 'ingest', args: (work) => ['ingest', '--command', 'sleep 30', '--url', target.url, '--collection', 'ingested', '--state', join(work, 'state.json')], startedWhen: /Running: sleep 30/ },
  ];

  for (const command of commands) {
    for (const delayMs of command.moments ?? [0, 1_000, 3_000]) {
      it(`${command.name}: Ctrl-C ${delayMs / 1000} s after it starts work exits 130 and says to run it again`, async () => {
        const work = await mkdtemp(join(dir, `${command.name}-`));
        const run = runBundle(command.args(work), work);
        await waitFor(() => command.startedWhen.test(run.output()) || run.child.exitCode !== null, `${command.name} to start`);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        run.child.kill('SIGINT');
        const code = await run.code;
        const output = run.output();
        // On a loaded machine the work may be over before the Ctrl-C lands (a verify's last
        // records compared): then nothing is stopped, the command's own 0 stands, and one line says so.
        if (code === 0 && output.includes('Ctrl-C came after everything above was done: nothing was stopped.')) return;
        expect(code, output).toBe(130);
        expect(output).toMatch(/run the same command again to continue/i);
        expectWords(output, /Stopping at a safe point/);
      }, 120_000);
    }
  }

  it('an error nothing awaited is one line of words with exit 1, and DEBUG shows a stack of src/ files', async () => {
    const work = await mkdtemp(join(dir, 'bug-'));
    // Loaded before the CLI: renaming the finished backup throws as a bug in our code would.
    const preload = join(work, 'bug.mjs');
    await writeFile(
      preload,
      [
        "import fs from 'node:fs';",
        "import { syncBuiltinESMExports } from 'node:module';",
        "fs.promises.rename = async () => { throw new TypeError('injected bug'); };",
        'syncBuiltinESMExports();',
      ].join('\n'),
    );
    const bug = runBundle(['export', '--source-url', source.url, '--out', join(work, 'bug.jsonl.gz'), '--state', join(work, 'state.json')], work, ['--import', preload], { DEBUG: 'chroma-migrate' });
    expect(await bug.code, bug.output()).toBe(1);
    expect(bug.output()).toContain('Unexpected error: injected bug');
    // The stack, shown only under DEBUG, names our sources through the bundle's source maps.
    expect(bug.output()).toMatch(/src\/core\/[\w/-]+\.ts:\d+/);
    expect(bug.output()).not.toContain('chunk-');

    const unhandled = join(work, 'unhandled.mjs');
    // Later than the CLI's start: the rejection lands while the command runs.
    await writeFile(unhandled, "setTimeout(() => { Promise.reject(new Error('nobody awaited this')); }, 3000);\n");
    const run = runBundle(['ingest', '--command', 'sleep 10', '--url', target.url, '--collection', 'ingested', '--state', join(work, 'state2.json')], work, ['--import', unhandled]);
    expect(await run.code, run.output()).toBe(1);
    expect(run.output()).toContain('Unexpected error: nobody awaited this');
    expectWords(run.output(), /Unexpected error/);
  }, 120_000);

  it('export: the source killed mid-run ends with exit 1 and the connection problem in words', async () => {
    const work = await mkdtemp(join(dir, 'source-gone-'));
    // Straight to the source, not through the slowing proxy: what is said is the refused connection.
    const run = runBundle(['export', '--source-url', source.url, '--out', join(work, 'out.jsonl.gz'), '--state', join(work, 'state.json'), ...slowReads], work);
    await waitFor(() => /big: 30,000 records/.test(run.output()) || run.child.exitCode !== null, 'export to start');
    process.kill(source.pid, 'SIGKILL');
    await source.exited;
    const code = await run.code;
    expect(code, run.output()).toBe(1);
    expect(run.output()).toMatch(/reach|connect/i);
    expectWords(run.output(), /✗/);
    source = await startChromaServer({ path: paths.source, port: source.port });
  }, 180_000);

  for (const name of ['copy', 'import'] as const) {
    it(`${name}: the target killed mid-run ends with exit 1 and the connection problem in words`, async () => {
      const work = await mkdtemp(join(dir, `${name}-target-gone-`));
      const command = commands.find((candidate) => candidate.name === name)!;
      const run = runBundle(command.args(work), work);
      await waitFor(() => command.startedWhen.test(run.output()) || run.child.exitCode !== null, `${name} to start`);
      process.kill(target.pid, 'SIGKILL');
      await target.exited;
      const code = await run.code;
      expect(code, run.output()).toBe(1);
      expect(run.output()).toMatch(/reach|connect/i);
      expectWords(run.output(), /✗/);
      target = await startChromaServer({ path: paths.target, port: target.port });
    }, 180_000);
  }
});
