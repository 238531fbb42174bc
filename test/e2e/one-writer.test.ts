/**
 * One writer per file, tried as a user trips over it: the same command started twice on one
 * --out (two exports, two copies under different names). One finishes, the other stops at once
 * naming the first; the backup verifies; a shared state file keeps every run's entries.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromaServer, type RunningServer } from '../../src/core/local-server/chroma-server.js';
import { BUNDLE } from '../helpers/cli.js';
import { COLLECTIONS_PATH } from '../helpers/chroma.js';

function runBundle(args: string[], cwd: string): { output: () => string; code: Promise<number | null> } {
  const child = spawn(process.execPath, [BUNDLE, ...args], { cwd, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { output: () => output, code: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function fill(url: string, name: string, count: number): Promise<void> {
  const base = new URL(COLLECTIONS_PATH, url).href;
  const created = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, get_or_create: true, configuration: { hnsw: { space: 'l2' } } }) });
  const { id } = (await created.json()) as { id: string };
  for (let start = 0; start < count; start += 2_000) {
    const ids = Array.from({ length: Math.min(2_000, count - start) }, (_, i) => `id-${start + i}`);
    const embeddings = ids.map((_, i) => Array.from({ length: 16 }, (__, k) => Math.cos((start + i) * 3 + k)));
    const answer = await fetch(`${base}/${id}/upsert`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids, embeddings, documents: ids }) });
    if (!answer.ok) throw new Error(await answer.text());
  }
}

describe('two runs on one --out', () => {
  let dir = '';
  let source: RunningServer;
  let target: RunningServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-one-writer-'));
    source = await startChromaServer({ path: join(dir, 'source') });
    target = await startChromaServer({ path: join(dir, 'target') });
    await fill(source.url, 'big', 20_000);
    await fill(source.url, 'small', 3_000);
  }, 300_000);
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function race(first: string[], second: string[], work: string): Promise<{ winner: string; loser: string }> {
    const a = runBundle(first, work);
    // The second starts while the first is at work, as `cmd & cmd` in a shell does.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const b = runBundle(second, work);
    const [codeA, codeB] = await Promise.all([a.code, b.code]);
    expect([codeA, codeB].sort(), `${a.output()}\n---\n${b.output()}`).toEqual([0, 1]);
    return codeA === 0 ? { winner: a.output(), loser: b.output() } : { winner: b.output(), loser: a.output() };
  }

  function expectStoppedAtOnce(loser: string): void {
    expect(loser).toMatch(/is in use by chroma-migrate pid \d+ \((export|copy)\), started \d\d:\d\d/);
    expect(loser).toContain('Wait for it, or remove the lock if that process is gone');
    // Stopped before reading a page.
    expect(loser).not.toMatch(/records/);
  }

  it('two exports: one writes the backup, the other stops at once naming it; the file verifies', async () => {
    const work = await mkdtemp(join(dir, 'exports-'));
    const out = join(work, 'same.jsonl.gz');
    const args = ['export', '--source-url', source.url, '--out', out, '--state', join(work, 'state.json')];
    const { winner, loser } = await race(args, args, work);
    expect(winner).toContain('✓ Wrote');
    expectStoppedAtOnce(loser);
    expect(existsSync(`${out}.partial.lock`)).toBe(false);
    const verify = runBundle(['verify', '--input', out, '--url', source.url, '--state', join(work, 'verify-state.json')], work);
    expect(await verify.code, verify.output()).toBe(0);
    const state = JSON.parse(await readFile(join(work, 'state.json'), 'utf8')) as { exports: Array<{ out: string; done: boolean }> };
    expect(state.exports.filter((entry) => entry.out === out && entry.done)).toHaveLength(1);
  }, 240_000);

  it('two copies under different names: one copies, the other stops at once; the backup and the copy verify', async () => {
    const work = await mkdtemp(join(dir, 'copies-'));
    const out = join(work, 'same.jsonl.gz');
    const copy = (as: string) => ['copy', '--source-url', source.url, '--url', target.url, '--collections', 'big', '--as', as, '--out', out, '--if-exists', 'recreate', '--state', join(work, 'state.json')];
    const { winner, loser } = await race(copy('copy_a'), copy('copy_b'), work);
    expect(winner).toMatch(/all equal|verified/i);
    expectStoppedAtOnce(loser);
    const name = winner.includes('copy_a') ? 'copy_a' : 'copy_b';
    const verify = runBundle(['verify', '--input', out, '--url', target.url, '--as', name, '--state', join(work, 'verify-state.json')], work);
    expect(await verify.code, verify.output()).toBe(0);
  }, 240_000);

  it('two exports of different collections to different files, one state file: both entries are kept', async () => {
    const work = await mkdtemp(join(dir, 'shared-state-'));
    const state = join(work, 'state.json');
    const big = runBundle(['export', '--source-url', source.url, '--collections', 'big', '--out', join(work, 'big.jsonl.gz'), '--state', state, '--page-size', '200'], work);
    const small = runBundle(['export', '--source-url', source.url, '--collections', 'small', '--out', join(work, 'small.jsonl.gz'), '--state', state, '--page-size', '50'], work);
    expect(await big.code, big.output()).toBe(0);
    expect(await small.code, small.output()).toBe(0);
    const saved = JSON.parse(await readFile(state, 'utf8')) as { exports: Array<{ out: string; done: boolean; finished: Array<{ name: string; count: number }> }> };
    const done = saved.exports.filter((entry) => entry.done).map((entry) => entry.finished.map((finished) => `${finished.name} ${finished.count}`).join());
    expect(done.sort()).toEqual(['big 20000', 'small 3000']);
  }, 240_000);
});
