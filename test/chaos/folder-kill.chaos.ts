/**
 * kill -9 of `export --source-path` at seeded random points (copying, the server starting,
 * reading), each followed by a plain re-run of the same command. After every kill no Chroma
 * server is left on a copy (within the watchdog's grace), and every re-run finishes the same
 * file, whole; at the end no copy is left in the temp folder.
 *
 * Run with: npm run test:chaos  (CHAOS_SEED=n to replay another sequence, CHAOS_POINTS=n)
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup } from '../../src/core/backup/read.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { startChromaServer } from '../../src/core/local-server/chroma-server.js';
import { exitOf, spawnCli } from '../helpers/cli.js';
import { serversGone, serversUnder } from '../helpers/folder-servers.js';
import { makeRecords } from '../helpers/fixtures.js';
import { seededRandom } from '../helpers/prng.js';

const N = 4_000;
const NAMES = ['one', 'two', 'three'];
const POINTS = Number(process.env.CHAOS_POINTS ?? 10);
const SEED = Number(process.env.CHAOS_SEED ?? 20261206);

let dir = '';
const log: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-chaos-folder-'));
});
afterAll(async () => {
  console.log(`folder kill loop (seed ${SEED}):\n${log.join('\n')}`);
  for (const server of await serversUnder(dir)) process.kill(server.pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function writeFolder(path: string): Promise<void> {
  const server = await startChromaServer({ path, logFile: join(dir, 'writer.log') });
  try {
    const api = new ChromaApi(endpoint({ url: server.url }));
    for (const name of NAMES) {
      const info = await api.createCollection({ name, metadata: null, space: 'l2' });
      const records = makeRecords(N, { dim: 16, prefix: name });
      for (let i = 0; i < N; i += 1_000) await api.upsert(info.id, records.slice(i, i + 1_000), { base64: true });
    }
  } finally {
    await server.stop();
    await rm(join(path, 'chroma-server.pid'), { force: true });
  }
}

async function run(args: string[], env: Record<string, string>, killAfterMs?: number): Promise<{ ms: number; code: number | null; killed: boolean; output: string }> {
  const started = Date.now();
  const child = spawnCli(args, { env });
  const exited = exitOf(child);
  const finished = killAfterMs === undefined ? await exited.then(() => true) : await Promise.race([exited.then(() => true), wait(killAfterMs).then(() => false)]);
  if (!finished) child.kill('SIGKILL');
  const code = await exited;
  return { ms: Date.now() - started, code, killed: !finished, output: child.output() };
}

describe('kill -9 of export --source-path at random points, each followed by a plain re-run', () => {
  it(`${POINTS} points: no server outlives its run, and every re-run finishes the same file`, async () => {
    const folder = join(dir, 'folder');
    await writeFolder(folder);
    const tmp = join(dir, 'tmp');
    await mkdir(tmp);
    const env = { TMPDIR: tmp, CHROMA_MIGRATE_STATE: join(dir, 'state.json') };
    const argsFor = (out: string) => ['export', '--source-path', folder, '--all', '--out', out];

    await run(argsFor(join(dir, 'warmup.jsonl.gz')), env);
    const calibration = await run(argsFor(join(dir, 'calibration.jsonl.gz')), env);
    expect(calibration.code, calibration.output).toBe(0);
    const random = seededRandom(SEED);
    for (let point = 0; point < POINTS; point++) {
      const out = join(dir, `export-${point}.jsonl.gz`);
      const afterMs = Math.round(200 + random() * calibration.ms * 0.9);
      const first = await run(argsFor(out), env, afterMs);
      // The watchdog sends SIGINT, then SIGKILL 3 s later.
      const left = await serversGone(tmp, 6_000);
      const again = await run(argsFor(out), env);
      log.push(`#${point} kill at ${afterMs} ms${first.killed ? '' : ' (had already finished)'} | servers left ${left.length} | re-run exit ${again.code}${again.output.includes('resuming') ? ' (resumed)' : ''}`);
      expect(left, first.output).toEqual([]);
      expect(again.code, again.output).toBe(0);
      expect(existsSync(`${out}.partial`)).toBe(false);
      expect((await inspectBackup(out)).collections.map((collection) => collection.count)).toEqual(NAMES.map(() => N));
    }
    expect(await serversUnder(tmp)).toEqual([]);
    expect((await readdir(tmp)).filter((name) => name.startsWith('chroma-migrate-folder-'))).toEqual([]);
  }, 1_200_000);
});
