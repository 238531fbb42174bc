/**
 * The hints that say how to continue are commands to paste. Each long command is interrupted
 * (Ctrl-C, as a terminal sends it) mid-run behind a slow proxy; `status`, read from another
 * folder, prints the command that continues it; that line is run by bash exactly as printed,
 * and the run continues from its checkpoint (not from 0) and ends verified.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromaServer, type RunningServer } from '../../src/core/local-server/chroma-server.js';
import { BUNDLE } from '../helpers/cli.js';
import { COLLECTIONS_PATH } from '../helpers/chroma.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const RECORDS = 12_000;
const TOKEN = 'tok-resume-hints-5150';

interface Run {
  output: () => string;
  code: Promise<number | null>;
  interrupt: () => void;
}

/** A command line run as a user's shell runs it, `chroma-migrate` being the installed bundle on the PATH. */
function shell(line: string, cwd: string, env: Record<string, string> = {}): Run {
  const child = spawn('bash', ['-c', line], { cwd, env: { ...process.env, CI: 'true', PATH: `${bin}:${process.env.PATH ?? ''}`, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { output: () => output, code, interrupt: () => child.kill('SIGINT') };
}

/** The bundle itself (not through bash), so that SIGINT reaches node as a terminal's Ctrl-C does. */
function cli(args: string[], cwd: string): Run {
  const child = spawn(process.execPath, [BUNDLE, ...args], { cwd, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { output: () => output, code, interrupt: () => child.kill('SIGINT') };
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function savedState(path: string): Promise<{ imports: Array<{ committed: number }>; exports: Array<{ out: string; current: { offset: number } | null; finished: unknown[] }> } | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}

async function fill(url: string, name: string, count: number, database = 'default_database'): Promise<void> {
  const base = new URL(COLLECTIONS_PATH.replace('default_database', database), url).href;
  const created = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, get_or_create: true, configuration: { hnsw: { space: 'l2' } } }) });
  const { id } = (await created.json()) as { id: string };
  for (let start = 0; start < count; start += 2_000) {
    const ids: string[] = [];
    const embeddings: number[][] = [];
    for (let i = start; i < Math.min(count, start + 2_000); i++) {
      ids.push(`id-${i}`);
      embeddings.push(Array.from({ length: 16 }, (_, k) => Math.sin(i * 7 + k)));
    }
    const answer = await fetch(`${base}/${id}/upsert`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids, embeddings, documents: ids.map((one) => `document ${one}`) }) });
    if (!answer.ok) throw new Error(await answer.text());
  }
}

let bin = '';

describe('every hint that says how to continue is a command that does', () => {
  let dir = '';
  let work = '';
  let source: RunningServer;
  let target: RunningServer;
  let slowSource: FaultProxy;
  let slowTarget: FaultProxy;
  let backup = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-hints-'));
    bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'chroma-migrate'), `#!/bin/sh\nexec '${process.execPath}' '${BUNDLE}' "$@"\n`);
    await chmod(join(bin, 'chroma-migrate'), 0o755);
    // The user's folder has a space in its name; the state and the files are relative to it.
    work = join(dir, 'my project');
    await mkdir(work);
    source = await startChromaServer({ path: join(dir, 'source') });
    target = await startChromaServer({ path: join(dir, 'target') });
    await fill(source.url, 'big', RECORDS);
    // A second database, for export --all-databases (one file, a checkpoint per database).
    const made = await fetch(new URL('/api/v2/tenants/default_tenant/databases', source.url).href, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'second_db' }) });
    expect(made.ok, await made.text()).toBe(true);
    await fill(source.url, 'other', 3_000, 'second_db');
    backup = join(dir, 'full backup.jsonl.gz');
    const exported = cli(['export', '--source-url', source.url, '--out', backup, '--state', join(dir, 'setup-state.json')], dir);
    expect(await exported.code, exported.output()).toBe(0);
    slowSource = await startFaultProxy(source.url);
    slowTarget = await startFaultProxy(target.url);
  }, 300_000);
  afterAll(async () => {
    await slowSource?.close();
    await slowTarget?.close();
    await source?.stop();
    await target?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Ctrl-C once the state holds a place to continue from; then the hint `status` prints, read from another folder. */
  async function interruptAndReadHint(args: string[], state: string, started: (saved: NonNullable<Awaited<ReturnType<typeof savedState>>>) => boolean) {
    const run = cli(args, work);
    await waitFor(async () => run.output().includes('✗') || (await savedState(join(work, state)).then((saved) => saved !== null && started(saved))), 'a checkpoint');
    run.interrupt();
    expect(await run.code, run.output()).toBe(130);
    const status = cli(['status', '--state', join(work, state)], dir);
    expect(await status.code, status.output()).toBe(0);
    const lines = status.output().split('\n');
    const hint = lines.find((line) => line.trim().startsWith('cd '))?.trim();
    expect(hint, status.output()).toBeDefined();
    return { interrupted: run.output(), status: status.output(), hint: hint! };
  }

  function resumedAt(output: string): number {
    const match = /resuming at ([\d,]+) of/.exec(output);
    return match ? Number(match[1]!.replace(/,/g, '')) : 0;
  }

  it('copy: status prints the copy (not an import of a file that does not exist yet), with every flag, and it resumes', async () => {
    slowSource.setRules({ delayMs: 150, faultPaths: /\/get$/ });
    const args = ['copy', '--source-url', slowSource.url, '--url', target.url, '--collections', 'big', '--as', 'copied', '--out', '~ copy.jsonl.gz', '--state', 'state-copy.json', '--page-size', '100', '--read-concurrency', '2', '--batch', '200'];
    const { interrupted, status, hint } = await interruptAndReadHint(args, 'state-copy.json', (saved) => saved.exports.some((entry) => (entry.current?.offset ?? 0) > 0));
    expect(interrupted).toContain(`chroma-migrate copy --source-url ${slowSource.url} --url ${target.url} --collections big --as copied --out '~ copy.jsonl.gz'`);
    expect(status).toMatch(/copy \(interrupted [^)]+\): "copied" at [\d,]+ of 12,000 records on the target/);
    expect(status).not.toMatch(/import --input/);
    expect(hint).toBe(`cd '${work}' && chroma-migrate ${args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`)).join(' ')}`);
    slowSource.setRules({});
    const resumed = shell(hint, dir);
    expect(await resumed.code, resumed.output()).toBe(0);
    expect(resumedAt(resumed.output()), resumed.output()).toBeGreaterThan(0);
    expect(resumed.output()).toMatch(/✓ copied: 12,000 from the (backup|source), all equal/);
  }, 300_000);

  it('import --as X --space l2 --url U --token T: the hint keeps --as, --space and --url, leaves out the token, and resumes with it from the environment', async () => {
    slowTarget.setRules({ delayMs: 100, faultPaths: /\/upsert$/, token: { value: TOKEN, header: 'authorization' } });
    const args = ['import', '--input', backup, '--as', 'imp_ctrlc', '--space', 'l2', '--url', slowTarget.url, '--token', TOKEN, '--state', 'state-import.json', '--batch', '200', '--concurrency', '1'];
    const { interrupted, status, hint } = await interruptAndReadHint(args, 'state-import.json', (saved) => saved.imports.some((entry) => entry.committed > 0));
    expect(status).toMatch(/import \(interrupted [^)]+\): "imp_ctrlc" at [\d,]+ of 12,000 records/);
    expect(hint).toContain(`--input '${backup}' --as imp_ctrlc --space l2 --url ${slowTarget.url} --state state-import.json`);
    for (const text of [interrupted, status, await readFile(join(work, 'state-import.json'), 'utf8')]) expect(text).not.toContain(TOKEN);
    expect(status).toContain('--token was left out; set CHROMA_AUTH_TOKEN');
    expect(interrupted).toContain('--token was left out; set CHROMA_AUTH_TOKEN');
    slowTarget.setRules({ token: { value: TOKEN, header: 'authorization' } });
    const resumed = shell(hint, dir, { CHROMA_AUTH_TOKEN: TOKEN });
    expect(await resumed.code, resumed.output()).toBe(0);
    expect(resumed.output()).toMatch(/resumed from [\d,]+/);
    expect(resumed.output()).not.toMatch(/resumed from 0\b/);
    slowTarget.setRules({});
    const verified = cli(['verify', '--input', backup, '--as', 'imp_ctrlc', '--url', target.url, '--state', join(dir, 'verify-state.json')], dir);
    expect(await verified.code, verified.output()).toBe(0);
  }, 300_000);

  it('export: the hint is the export, and it continues the partial file to one that verifies', async () => {
    slowSource.setRules({ delayMs: 150, faultPaths: /\/get$/ });
    const args = ['export', '--source-url', slowSource.url, '--out', 'exports/it is ~mine.jsonl.gz', '--state', 'state-export.json', '--page-size', '100', '--concurrency', '2'];
    await mkdir(join(work, 'exports'), { recursive: true });
    const { status, hint } = await interruptAndReadHint(args, 'state-export.json', (saved) => saved.exports.some((entry) => (entry.current?.offset ?? 0) > 0));
    expect(status).toMatch(/export \(interrupted [^)]+\): 0 of 1 collections in .*, "big" at [\d,]+ of 12,000 records/);
    slowSource.setRules({});
    const resumed = shell(hint, dir);
    expect(await resumed.code, resumed.output()).toBe(0);
    expect(resumedAt(resumed.output()), resumed.output()).toBeGreaterThan(0);
    const verified = cli(['verify', '--input', join(work, 'exports/it is ~mine.jsonl.gz'), '--url', source.url, '--state', join(dir, 'verify-state.json')], dir);
    expect(await verified.code, verified.output()).toBe(0);
  }, 300_000);

  it('export interrupted before its first checkpoint: status says nothing was written and gives the export, which then runs whole', async () => {
    // Every read held back long enough that Ctrl-C lands before any page is written.
    slowSource.setRules({ delayMs: 5_000 });
    const args = ['export', '--source-url', slowSource.url, '--out', 'early.jsonl.gz', '--state', 'state-early.json'];
    const run = cli(args, work);
    await waitFor(async () => {
      const saved = (await savedState(join(work, 'state-early.json'))) as { runs?: Array<{ outcome: string }> } | null;
      return saved?.runs?.some((entry) => entry.outcome === 'running') === true;
    }, 'the run noted in the state');
    run.interrupt();
    expect(await run.code, run.output()).toBe(130);
    const saved = await savedState(join(work, 'state-early.json'));
    expect(saved?.exports ?? []).toEqual([]);
    const status = cli(['status', '--state', join(work, 'state-early.json')], dir);
    expect(await status.code, status.output()).toBe(0);
    expect(status.output()).toMatch(/export \(interrupted [^)]+\): interrupted before any record was written — run again:/);
    const hint = status.output().split('\n').find((line) => line.trim().startsWith('cd '))?.trim();
    expect(hint).toBe(`cd '${work}' && chroma-migrate ${args.join(' ')}`);
    slowSource.setRules({});
    const again = shell(hint!, dir);
    expect(await again.code, again.output()).toBe(0);
    const after = cli(['status', '--state', join(work, 'state-early.json')], dir);
    expect(await after.code, after.output()).toBe(0);
    expect(after.output()).not.toContain('Can be continued');
  }, 300_000);

  it('export --all-databases: status matches the per-database checkpoint to the run, prints it exactly, and it resumes into one file', async () => {
    slowSource.setRules({ delayMs: 150, faultPaths: /\/get$/ });
    const args = ['export', '--all-databases', '--source-url', slowSource.url, '--out', 'every db.jsonl.gz', '--state', 'state-all.json', '--page-size', '100', '--concurrency', '2'];
    const { status, hint } = await interruptAndReadHint(args, 'state-all.json', (saved) =>
      saved.exports.some((entry) => entry.out.includes('.databases/') && (entry.current?.offset ?? 0) > 0));
    expect(status).toMatch(/export \(interrupted [^)]+\): 0 of 1 collections of database (default_database|second_db) in .*every db\.jsonl\.gz\.databases\/.*, "(big|other)" at [\d,]+ of [\d,]+ records/);
    expect(status).not.toContain('run the same export again');
    expect(hint).toBe(`cd '${work}' && chroma-migrate export --all-databases --source-url ${slowSource.url} --out 'every db.jsonl.gz' --state state-all.json --page-size 100 --concurrency 2`);
    slowSource.setRules({});
    const resumed = shell(hint, dir);
    expect(await resumed.code, resumed.output()).toBe(0);
    expect(resumedAt(resumed.output()), resumed.output()).toBeGreaterThan(0);
    expect(resumed.output()).toContain('every db.jsonl.gz');
    expect((await readdir(work)).filter((name) => name.startsWith('every db'))).toEqual(['every db.jsonl.gz']);
    const verified = cli(['verify', '--input', join(work, 'every db.jsonl.gz'), '--url', source.url, '--state', join(dir, 'verify-state.json')], dir);
    expect(await verified.code, verified.output()).toBe(0);
    expect(verified.output()).toMatch(/other/);
  }, 300_000);

  it('verify --as not_there: the import it suggests names --as and the target', async () => {
    const run = cli(['verify', '--input', backup, '--collection', 'big', '--as', 'not_there', '--url', target.url, '--state', join(dir, 'verify-state.json')], dir);
    expect(await run.code, run.output()).toBe(1);
    expect(run.output()).toContain(`chroma-migrate import --input '${backup}' --collection big --as not_there --url ${target.url} --state ${join(dir, 'verify-state.json')} --if-exists append`);
  }, 120_000);
});
