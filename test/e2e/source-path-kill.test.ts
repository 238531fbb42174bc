/**
 * A data folder as a source after kill -9: the server on its copy dies with the run that started
 * it, the same export run again finishes (on whatever port it gets), and copies left by dead runs
 * are removed where they were made (the temp folder, beside the folder), never a live run's.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { startChromaServer } from '../../src/core/local-server/chroma-server.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { serversUnder } from '../helpers/folder-servers.js';
import { makeRecords } from '../helpers/fixtures.js';
import { processAlive } from '../../src/core/util/file-lock.js';

let dir = '';
let folder = '';

const COLLECTIONS = ['first', 'second', 'third'];
const COUNT = 6_000;

async function writeFolder(path: string): Promise<void> {
  const server = await startChromaServer({ path, logFile: join(dir, 'writer.log') });
  try {
    const api = new ChromaApi(endpoint({ url: server.url }));
    for (const name of COLLECTIONS) {
      const info = await api.createCollection({ name, metadata: null, space: 'l2' });
      const records = makeRecords(COUNT, { dim: 8, prefix: name });
      for (let i = 0; i < records.length; i += 1_000) await api.upsert(info.id, records.slice(i, i + 1_000), { base64: true });
    }
  } finally {
    await server.stop();
    await rm(join(path, 'chroma-server.pid'), { force: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


/** The port the folder's copy was served on, from a run's words. */
function servedPort(text: string): number | null {
  const match = /Serving the copy of .* at http:\/\/localhost:(\d+)/.exec(text);
  return match ? Number(match[1]) : null;
}

/** Holds the port; a server killed a moment ago may still hold it while it exits. */
async function listen(port: number): Promise<Server> {
  for (let tries = 0; ; tries++) {
    try {
      return await new Promise<Server>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve(server));
      });
    } catch (error) {
      if (tries >= 50) throw error;
      await sleep(100);
    }
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-source-path-kill-'));
  folder = join(dir, 'parent', 'folder');
  await writeFolder(folder);
}, 300_000);
afterAll(async () => {
  for (const server of await serversUnder(dir)) process.kill(server.pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('export --source-path after kill -9', () => {
  it('killed while the folder is served, leaves no Chroma server; the same export run again finishes', async () => {
    const tmp = join(dir, 'tmp-start');
    await mkdir(tmp);
    const out = join(dir, 'start.jsonl.gz');
    const args = ['export', '--source-path', folder, '--all', '--out', out, '--state', join(dir, 'start-state.json')];
    const child = spawnCli(args, { env: { TMPDIR: tmp } });
    let started: Array<{ pid: number; path: string }> = [];
    const deadline = Date.now() + 120_000;
    while (started.length === 0 && child.exitCode === null && Date.now() < deadline) {
      started = await serversUnder(tmp);
      if (started.length === 0) await sleep(20);
    }
    expect(started, child.output()).toHaveLength(1);
    child.kill('SIGKILL');
    await exitOf(child);
    const server = started[0]!;
    for (let tries = 0; processAlive(server.pid) && tries < 100; tries++) await sleep(100);
    expect(processAlive(server.pid), `the server on the copy (pid ${server.pid}) outlived its run`).toBe(false);

    const again = spawnCli(args, { env: { TMPDIR: tmp } });
    await exitOf(again);
    expect(again.exitCode, again.output()).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(await serversUnder(tmp)).toEqual([]);
  }, 300_000);

  it('an export killed mid-way resumes when the folder is served on another port, and so does a finished one run again', async () => {
    const tmp = join(dir, 'tmp-resume');
    await mkdir(tmp);
    const out = join(dir, 'resume.jsonl.gz');
    const state = join(dir, 'resume-state.json');
    const args = ['export', '--source-path', folder, '--all', '--out', out, '--state', state];
    const first = await killMidway(args, state, tmp);

    // The port the folder was served on is taken now: the run gets another.
    const blocker = await listen(first!);
    try {
      const resumed = await runCli([...args, '--json'], { TMPDIR: tmp });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(servedPort(resumed.stderr)).not.toBe(first);
      const result = JSON.parse(resumed.stdout) as { resumed: boolean; collections: Array<{ name: string; count: number }> };
      expect(result.resumed).toBe(true);
      expect(result.collections).toEqual(COLLECTIONS.map((name) => ({ name, count: COUNT })));

      const rerun = await runCli(args, { TMPDIR: tmp });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).not.toMatch(/not a backup this export wrote/);
    } finally {
      blocker.close();
    }
    expect(await serversUnder(tmp)).toEqual([]);
  }, 300_000);

  it('an export an earlier version began, which named the folder by its usual port, resumes and names it by its path from then on', async () => {
    const tmp = join(dir, 'tmp-former');
    await mkdir(tmp);
    const out = join(dir, 'former.jsonl.gz');
    const state = join(dir, 'former-state.json');
    const args = ['export', '--source-path', folder, '--all', '--out', out, '--state', state];
    await killMidway(args, state, tmp);
    const saved = JSON.parse(await readFile(state, 'utf8')) as { exports: Array<{ source: string }> };
    expect(saved.exports[0]!.source).toBe(`${folder}/default_tenant/default_database`);
    saved.exports[0]!.source = `http://localhost:${usualPort(folder)}/default_tenant/default_database`;
    await writeFile(state, JSON.stringify(saved));

    const resumed = await runCli([...args, '--json'], { TMPDIR: tmp });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as { resumed: boolean }).resumed).toBe(true);
    const after = JSON.parse(await readFile(state, 'utf8')) as { exports: Array<{ source: string; done: boolean }> };
    expect(after.exports.map(({ source, done }) => ({ source, done }))).toEqual([{ source: `${folder}/default_tenant/default_database`, done: true }]);
  }, 300_000);
});

/**
 * Runs the export and kills it (kill -9) once a checkpoint is on disk and before it is done; any
 * server it left is killed too (the first case is the one about those). Returns the port it served on.
 */
async function killMidway(args: string[], state: string, tmp: string): Promise<number> {
  const child = spawnCli(args, { env: { TMPDIR: tmp } });
  const saved = async () => JSON.parse(await readFile(state, 'utf8').catch(() => '{"exports":[]}')).exports[0] as { bytes: number; done: boolean } | undefined;
  const deadline = Date.now() + 120_000;
  while (!((await saved())?.bytes ?? 0) && child.exitCode === null && Date.now() < deadline) await sleep(20);
  child.kill('SIGKILL');
  await exitOf(child);
  expect((await saved())?.done, child.output()).toBe(false);
  const port = servedPort(child.output());
  expect(port).not.toBeNull();
  for (let tries = 0; (await serversUnder(tmp)).length > 0 && tries < 100; tries++) await sleep(100);
  for (const left of await serversUnder(tmp)) process.kill(left.pid, 'SIGKILL');
  for (let tries = 0; (await serversUnder(tmp)).length > 0 && tries < 50; tries++) await sleep(100);
  return port!;
}

/** The port earlier versions named a folder by (sources/folder/open.ts). */
function usualPort(path: string): number {
  let hash = 0;
  for (const char of path) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 20_000 + (hash % 20_000);
}

describe('copies left by dead runs', () => {
  it('beside the folder: a dead run\'s copy and its server are removed; a live run\'s copy and anything not ours stay', async () => {
    const parent = join(dir, 'parent');
    const dead = await deadPid();
    const copy = async (name: string, owner: string | null) => {
      const root = join(parent, name);
      await mkdir(join(root, 'data'), { recursive: true });
      if (owner !== null) await writeFile(join(root, 'owner.pid'), owner);
      return root;
    };
    const abandoned = await copy('chroma-migrate-folder-AAAAAA', `${dead}\n${hostname()}\n`);
    const live = await copy('chroma-migrate-folder-BBBBBB', `${process.pid}\n${hostname()}\n`);
    const unmarked = await copy('chroma-migrate-folder-CCCCCC', null);
    const elsewhere = await copy('chroma-migrate-folder-EEEEEE', `${dead}\nanother-host\n`);
    const notOurs = await copy('chroma-migrate-folder-x', `${dead}\n${hostname()}\n`);
    // A server an older version left on a dead run's copy: running, with no pid file.
    const orphanRoot = await copy('chroma-migrate-folder-DDDDDD', `${dead}\n${hostname()}\n`);
    const orphan = await startChromaServer({ path: join(orphanRoot, 'data'), logFile: join(dir, 'orphan.log'), detached: true });
    orphan.keepRunning();
    await rm(join(orphanRoot, 'data', 'chroma-server.pid'), { force: true });
    // Its lock names the run that started it, gone.
    await writeFile(join(orphanRoot, 'data', 'chroma-server.lock'), JSON.stringify({ pid: dead, host: hostname(), startedAt: new Date().toISOString(), command: 'serve' }));

    const tmp = join(dir, 'tmp-sweep');
    await mkdir(tmp);
    const ran = await runCli(['export', '--source-path', folder, '--collections', 'first', '--out', join(dir, 'sweep.jsonl.gz')], { TMPDIR: tmp });
    expect(ran.code, ran.stderr).toBe(0);
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(orphanRoot)).toBe(false);
    expect(processAlive(orphan.pid), 'the server on a dead run\'s copy runs on').toBe(false);
    for (const kept of [live, unmarked, elsewhere, notOurs]) expect(existsSync(kept), kept).toBe(true);
  }, 300_000);
});

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await exitOf(child);
  return child.pid!;
}
