/**
 * sync's words say what it knows and no more. A record on the target and not on the source may
 * have been deleted at the source or written to the target by the app since the cutover: the
 * --prune question claims neither, and "no" keeps it and syncs the rest. A record edited on the
 * target is replaced by the source's, and the words say which way. A changed value reads with
 * the side that holds it. The advice for a collection setting is what mends it (a schema key that
 * comes with the records needs nothing; ef_search is set in place). --out writes its backup also
 * when the target still differs.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { syncCollections, type PruneRemoval } from '../../src/core/operations/sync.js';
import { prunePrompt, syncLines } from '../../src/present/reports/sync-report.js';
import { COLLECTIONS_PATH, rawChroma, useTwoServers } from '../helpers/chroma.js';
import { CLI_ENTRY, runCli } from '../helpers/cli.js';

const { source, target } = useTwoServers();
let dir = '';

function record(i: number, tag = 'v2'): BackupRecord {
  return { id: `r${String(i).padStart(2, '0')}`, document: `document ${i}`, metadata: { tag, i }, embedding: Array.from({ length: 4 }, (_, d) => Math.sin(i + d)), uri: null };
}
const RECORDS = Array.from({ length: 20 }, (_, i) => record(i));
const APP_WROTE = 'app-wrote-after-cutover';

async function seedBoth(name: string, records: BackupRecord[]): Promise<void> {
  for (const url of [source.url, target.url]) {
    const api = new ChromaApi(endpoint({ url }));
    const info = await api.createCollection({ name, metadata: null, space: 'l2' });
    await api.upsert(info.id, records, { base64: true });
  }
}

async function recordOnTarget(name: string, id: string) {
  const api = new ChromaApi(endpoint({ url: target.url }));
  const info = await api.findCollection(name);
  const page = await api.get(info!.id, { ids: [id], include: ['documents', 'metadatas'] });
  return page.ids.length === 0 ? null : { document: page.documents?.[0], metadata: page.metadatas?.[0] };
}

function sync(name: string, ...args: string[]) {
  return runCli(['sync', '--source-url', source.url, '--url', target.url, '--collections', name, ...args]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-sync-words-'));
  for (const name of ['docs', 'kept', 'efs']) await seedBoth(name, RECORDS);
  const sourceApi = new ChromaApi(endpoint({ url: source.url }));
  const targetApi = new ChromaApi(endpoint({ url: target.url }));
  for (const name of ['docs', 'kept']) {
    const atSource = (await sourceApi.findCollection(name))!;
    const atTarget = (await targetApi.findCollection(name))!;
    // The source moves on: r01's tag v2 → v3, and a record with a metadata key new to the collection.
    await sourceApi.upsert(atSource.id, [record(1, 'v3'), { ...record(20), metadata: { tag: 'v2', i: 20, brand_new_key: true } }], { base64: true });
    // The app, pointed at the target since the cutover, edits r02 there and writes a record of its own.
    await targetApi.upsert(atTarget.id, [{ ...record(2), document: 'edited by the app' }, { ...record(99), id: APP_WROTE }], { base64: true });
  }
  const efs = (await targetApi.findCollection('efs'))!;
  await rawChroma(target.url, 'PUT', `${COLLECTIONS_PATH}/${efs.id}`, JSON.stringify({ new_configuration: { hnsw: { ef_search: 50 } } }));
}, 300_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sync says which way it goes', () => {
  it('--dry-run: the changed value reads source → target, the edited record is named as replaced, the new key needs nothing', async () => {
    const run = await sync('docs', '--dry-run');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('r01 (metadata.tag: the source has string "v3", the target string "v2")');
    expect(run.stderr).toMatch(/changed\s+2 \(the target's version would be replaced by the source's\): r01 .*r02 \(document\)/);
    expect(run.stderr).toMatch(/metadata key brand_new_key not in the target's schema yet: the records this sync sends bring it.*nothing to do/);
    expect(run.stderr).not.toContain('✗ schema.keys.brand_new_key');
    expect(run.stderr).not.toContain('--if-exists recreate');
    expect(run.stderr).toMatch(/removed\s+1: app-wrote-after-cutover/);
  }, 120_000);

  it("verify against the source names the same value the same way round", async () => {
    const run = await runCli(['verify', '--source-url', source.url, '--url', target.url, '--collections', 'docs']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('metadata.tag: the source has string "v3", the target string "v2"');
  }, 120_000);

  it('ef_search is advised as set in place, never as a recreate', async () => {
    const run = await sync('efs', '--dry-run');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('{"new_configuration": {"hnsw": {"ef_search": 100}}}');
    expect(run.stderr).not.toMatch(/recreate/);
    // Named once: the schema's copies of ef_search are the same setting.
    expect(run.stderr).toContain('collection ✗ 1 setting differs');
  }, 120_000);

  it('--out writes the backup of the source also when a setting still differs, and says so', async () => {
    const out = join(dir, 'efs.jsonl');
    const run = await sync('efs', '--out', out);
    expect(run.code, run.stderr).toBe(1);
    expect(existsSync(out)).toBe(true);
    expect(run.stderr).toContain(`Wrote a fresh backup of the source to ${out}`);
  }, 120_000);

  it('--prune asks without claiming why the record is there; "no" keeps it, syncs the rest, and the verdict says the target differs', async () => {
    const asked: PruneRemoval[][] = [];
    const result = await syncCollections({
      source: endpoint({ url: source.url }),
      target: endpoint({ url: target.url }),
      collections: ['docs'],
      prune: true,
      dryRun: false,
      confirmPrune: async (removals) => (asked.push(removals), false),
      statePath: join(dir, 'state.json'),
    });
    const question = prunePrompt(asked[0]!, target.url);
    expect(question).toBe(
      `1 record is on the target (${target.url}) but not on the source (the source deleted it, or something wrote it to the target since), in "docs": ${APP_WROTE}. Delete it from the target? (No: the rest is synced and this record is kept.)`,
    );
    const [docs] = result.collections;
    expect([result.ok, result.pruneDeclined, result.pruned, docs!.upserted, docs!.deleted]).toEqual([false, true, false, 3, 0]);
    expect(await recordOnTarget('docs', APP_WROTE)).not.toBeNull();
    expect((await recordOnTarget('docs', 'r01'))?.metadata).toMatchObject({ tag: 'v3' });
    expect((await recordOnTarget('docs', 'r02'))?.document).toBe('document 2');
    const words = syncLines(result.collections, result).join('\n');
    expect(words).toMatch(/changed\s+2 \(the target's version replaced by the source's\)/);
    expect(words).toMatch(/kept\s+1 record on the target that is not on the source, as you answered/);
    expect(words).toContain('Kept, as you answered: 1 record on the target that the source does not have.');
    expect(words).not.toMatch(/no longer has|matches the source/);
  }, 120_000);

  it('in a terminal, answering no to --prune exits 1 having synced the rest (not exit 2, nothing sent)', async () => {
    const command = [process.execPath, '--import', 'tsx', CLI_ENTRY, 'sync', '--source-url', source.url, '--url', target.url, '--collections', 'kept', '--prune', '--state', join(dir, 'tty-state.json')];
    // `script` gives the CLI a terminal, as a person's shell does.
    const child = spawn('script', ['-qec', command.map((word) => `'${word}'`).join(' '), '/dev/null'], { env: { ...process.env, CI: '', TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/\(y\/N\)/.test(output) && !child.stdin.writableEnded) child.stdin.end('n\r');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    // The terminal wraps the question at its width.
    output = output.replace(/\s+/g, ' ');
    expect(output).toContain('but not on the source (the source deleted it, or something wrote it to the target since)');
    expect(code, output).toBe(1);
    expect(output).toMatch(/upserted\s+3/);
    expect(output).toContain('Kept, as you answered');
    expect(await recordOnTarget('kept', APP_WROTE)).not.toBeNull();
    expect((await recordOnTarget('kept', 'r01'))?.metadata).toMatchObject({ tag: 'v3' });
  }, 180_000);
});
