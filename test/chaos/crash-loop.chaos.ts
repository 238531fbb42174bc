/**
 * kill -9 of the CLI at 20 seeded random points of an import and 20 of an export, each followed
 * by a plain re-run of the same command. After every kill the state file parses (atomic writes)
 * and the final backup either does not exist or is complete (the .partial is never renamed
 * early); after every re-run the target (or the backup) holds exactly the records, verified.
 *
 * Run with: npm run test:chaos  (CHAOS_SEED=n to replay another sequence, CHAOS_POINTS=n)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup } from '../../src/core/backup/read.js';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { loadState } from '../../src/core/state/store.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { startTestServer } from '../helpers/chroma.js';
import { exitOf, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';
import { seededRandom } from '../helpers/prng.js';

const N = 900;
const POINTS = Number(process.env.CHAOS_POINTS ?? 20);
const SEED = Number(process.env.CHAOS_SEED ?? 20261125);

let dir = '';
let server: Awaited<ReturnType<typeof startTestServer>>;
let proxy: FaultProxy;
const log: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-chaos-'));
  server = await startTestServer();
  proxy = await startFaultProxy(server.server.url);
});
afterAll(async () => {
  console.log(`crash loop (seed ${SEED}):\n${log.join('\n')}`);
  await proxy?.close();
  await server?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the command once to completion and returns how long it took. */
async function timed(args: string[], env: Record<string, string>): Promise<{ ms: number; code: number | null; output: string }> {
  const started = Date.now();
  const child = spawnCli(args, { env });
  const code = await exitOf(child);
  return { ms: Date.now() - started, code, output: child.output() };
}

/** Spawns, kills -9 after `afterMs` (if still running), and reports what was on screen. */
async function killAt(args: string[], env: Record<string, string>, afterMs: number): Promise<{ killed: boolean; output: string }> {
  const child = spawnCli(args, { env });
  const exited = exitOf(child);
  const finished = await Promise.race([exited.then(() => true), wait(afterMs).then(() => false)]);
  if (!finished) child.kill('SIGKILL');
  await exited;
  return { killed: !finished, output: child.output() };
}

/** After any kill the state file is whole: it loads (or is not there yet). */
async function stateIsWhole(path: string): Promise<string> {
  if (!existsSync(path)) return 'no state yet';
  const state = await loadState(path); // throws BAD_STATE on a half-written file
  JSON.parse(await readFile(path, 'utf8'));
  return `${state.imports.length} import / ${state.exports.length} export checkpoints`;
}

/** Not a timed assertion: 20 kills and re-runs take 2–3 min on an idle machine and over 5 min at load 12. */
const LOOP_TIMEOUT_MS = 900_000;

describe('kill -9 at random points of an import, each followed by a plain re-run', () => {
  it(`${POINTS} points: every re-run completes and verifies`, async () => {
    const input = join(dir, 'backup.json');
    await writePythonRowsJson(input, 'chaos', makeRecords(N, { dim: 16, nullDocEvery: 7 }), { metadata: { 'hnsw:space': 'l2' } });
    const statePath = join(dir, 'import-state.json');
    const env = { CHROMA_MIGRATE_STATE: statePath };
    proxy.setRules({ delayMs: 25, faultPaths: /\/upsert$/ }); // long enough to land kills mid-import
    const argsFor = (name: string) => ['import', '--input', input, '--url', proxy.url, '--as', name, '--batch', '25', '--concurrency', '3', '--if-exists', 'abort'];

    // Two runs: the first warms tsx's cache; the second measures the window the kills fall in.
    await timed(argsFor('chaos_warmup'), env);
    const calibration = await timed(argsFor('chaos_calibration'), env);
    expect(calibration.code, calibration.output).toBe(0);
    const random = seededRandom(SEED);
    for (let point = 0; point < POINTS; point++) {
      const name = `chaos_import_${point}`;
      const afterMs = Math.round(200 + random() * calibration.ms * 0.9); // a few land after the end: a re-run of a finished run must pass too
      const first = await killAt(argsFor(name), env, afterMs);
      const state = await stateIsWhole(statePath);
      const again = await timed(argsFor(name), env);
      const line = again.output.trim().split('\n').find((text) => text.includes(`${name}:`) && text.includes('records (')) ?? again.output.trim().split('\n').at(-1);
      log.push(`import #${point} kill at ${afterMs} ms${first.killed ? '' : ' (had already finished)'} | ${state} | re-run exit ${again.code}: ${line}`);
      expect(again.code, again.output).toBe(0);
      // A kill between creating the collection and its first checkpoint leaves it empty and
      // unrecorded: the re-run fills it by appending, and says so in its own words.
      expect(again.output).toMatch(new RegExp(`${name}: (${N} of ${N} records|${N} records appended; the collection holds ${N})`));
      const verdict = await verifyBackup({ input, target: endpoint({ url: server.server.url }), renameTo: name, sample: 5 });
      expect(verdict.collections[0]).toMatchObject({ count: N, missing: 0, differing: 0 });
    }
    proxy.setRules({});
  }, LOOP_TIMEOUT_MS);
});

describe('kill -9 at random points of an export, each followed by a plain re-run', () => {
  it(`${POINTS} points: the backup is never final before it is whole, and every re-run's file verifies`, async () => {
    const api = new ChromaApi(endpoint({ url: server.server.url }));
    const info = await api.createCollection({ name: 'chaos_source', metadata: { kind: 'chaos' }, space: 'cosine' });
    const records = makeRecords(N, { dim: 16, prefix: 'src', nullMetaEvery: 5 });
    for (let i = 0; i < N; i += 300) await api.upsert(info.id, records.slice(i, i + 300), { base64: true });
    const statePath = join(dir, 'export-state.json');
    const env = { CHROMA_MIGRATE_STATE: statePath };
    proxy.setRules({ cloudQuota: true, delayMs: 25, faultPaths: /\/get$/ });
    const argsFor = (out: string) => ['export', '--source-url', proxy.url, '--collections', 'chaos_source', '--out', out, '--page-size', '25', '--concurrency', '2'];

    await timed(argsFor(join(dir, 'warmup.jsonl.gz')), env);
    const calibration = await timed(argsFor(join(dir, 'calibration.jsonl.gz')), env);
    expect(calibration.code, calibration.output).toBe(0);
    const random = seededRandom(SEED + 1);
    for (let point = 0; point < POINTS; point++) {
      const out = join(dir, `export-${point}${point % 2 === 0 ? '.jsonl.gz' : '.jsonl'}`);
      const afterMs = Math.round(200 + random() * calibration.ms * 0.9); // a few land after the end: a re-run of a finished run must pass too
      const first = await killAt(argsFor(out), env, afterMs);
      const state = await stateIsWhole(statePath);
      // The final name appears only once the file is whole.
      if (existsSync(out)) expect((await inspectBackup(out)).collections[0]?.count).toBe(N);
      const finalAfterKill = existsSync(out) ? 'final file present and whole' : existsSync(`${out}.partial`) ? 'only .partial' : 'no file yet';
      const again = await timed(argsFor(out), env);
      log.push(`export #${point} kill at ${afterMs} ms${first.killed ? '' : ' (had already finished)'} | ${state} | ${finalAfterKill} | re-run exit ${again.code}${again.output.includes('resum') ? ' (resumed)' : ''}`);
      expect(again.code, again.output).toBe(0);
      expect(existsSync(`${out}.partial`)).toBe(false);
      const verdict = await verifyBackup({ input: out, target: endpoint({ url: server.server.url }), sample: 5 });
      expect(verdict.collections[0]).toMatchObject({ count: N, missing: 0, differing: 0 });
    }
    proxy.setRules({});
  }, LOOP_TIMEOUT_MS);
});
