/**
 * A value the source no longer has is taken off the target, not left there. Chroma's upsert
 * merges metadata (a key the record lacks stays) and skips a null document or uri, so a sync
 * that only upserted said "changed 1", then "still differing … run sync again", on every run:
 * the source dropped a metadata key, or holds a null document or uri where the app wrote one on
 * the target, or the app added a key there. One sync now ends with the target equal to the
 * source, read back by raw HTTP, on the bundled server and on the old 1.0.1 one (which merge
 * the same way). The same holds for the fix a copy with --if-exists append prints for records
 * that differ: followed, verify passes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS_PATH, rawChroma, startTestServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { shellWords } from '../helpers/shell-words.js';

type Started = Awaited<ReturnType<typeof startTestServer>>;

const IDS = ['r00', 'r01', 'r02', 'r03', 'r04'];

/** Five records on both sides, alike: r01 without a document, r02 without a uri, as the source holds them. */
async function seedBoth(urls: string[], name: string, bulky = ''): Promise<void> {
  const body = JSON.stringify({
    ids: IDS,
    embeddings: IDS.map((_, i) => [i, 1, 2, 3]),
    documents: IDS.map((id) => (id === 'r01' ? null : `doc ${id}`)),
    metadatas: IDS.map((id, i) => ({ tag: 'v1', i, drop: 'x', ...(bulky ? { bulky } : {}) })),
    uris: IDS.map((id) => (id === 'r02' ? null : `uri-${id}`)),
  });
  for (const url of urls) {
    const made = JSON.parse(await rawChroma(url, 'POST', COLLECTIONS_PATH, JSON.stringify({ name }))) as { id: string };
    await rawChroma(url, 'POST', `${COLLECTIONS_PATH}/${made.id}/add`, body);
  }
}

async function update(url: string, name: string, body: object): Promise<void> {
  const { id } = JSON.parse(await rawChroma(url, 'GET', `${COLLECTIONS_PATH}/${name}`)) as { id: string };
  await rawChroma(url, 'POST', `${COLLECTIONS_PATH}/${id}/update`, JSON.stringify(body));
}

/** Every record of a collection as the server answers it, by id, keys sorted: the raw truth. */
async function rawRecords(url: string, name: string): Promise<Record<string, string>> {
  const { id } = JSON.parse(await rawChroma(url, 'GET', `${COLLECTIONS_PATH}/${name}`)) as { id: string };
  const got = JSON.parse(await rawChroma(url, 'POST', `${COLLECTIONS_PATH}/${id}/get`, JSON.stringify({ include: ['documents', 'metadatas', 'uris', 'embeddings'], limit: 1000 }))) as {
    ids: string[];
    documents: unknown[];
    uris: unknown[];
    embeddings: unknown[];
    metadatas: Array<Record<string, unknown> | null>;
  };
  const sorted = (meta: Record<string, unknown> | null) => meta && Object.fromEntries(Object.entries(meta).sort(([a], [b]) => (a < b ? -1 : 1)));
  return Object.fromEntries(got.ids.map((one, i) => [one, JSON.stringify({ d: got.documents[i], u: got.uris[i], m: sorted(got.metadatas[i]!), e: got.embeddings[i] })]));
}

/** The three ways a target copy can hold what the source's lacks, and the app's extra key. */
const CASES: Array<{ name: string; change: (s: string, t: string, name: string) => Promise<void>; whole: number }> = [
  { name: 'removed-key', whole: 0, change: (s, _t, name) => update(s, name, { ids: ['r00'], metadatas: [{ drop: null }] }) },
  { name: 'null-document', whole: 1, change: (_s, t, name) => update(t, name, { ids: ['r01'], documents: ['written by the app'] }) },
  { name: 'null-uri', whole: 1, change: (_s, t, name) => update(t, name, { ids: ['r02'], uris: ['app://written'] }) },
  { name: 'app-key', whole: 0, change: (_s, t, name) => update(t, name, { ids: ['r03'], metadatas: [{ app_key: 'x' }] }) },
];

describe.each(['bundled', 'old'] as const)('values the source no longer has, target on the %s server', (release) => {
  let servers: Started[] = [];
  let dir = '';
  const source = () => servers[0]!.server.url;
  const target = () => servers[1]!.server.url;
  const sync = (name: string, ...more: string[]) => runCli(['sync', '--source-url', source(), '--url', target(), '--collections', name, ...more]);

  beforeAll(async () => {
    servers = await Promise.all([startTestServer(), startTestServer({ release })]);
    dir = await mkdtemp(join(tmpdir(), 'cm-sync-mend-'));
  }, 300_000);
  afterAll(async () => {
    await Promise.all(servers.map((one) => one.cleanup()));
    await rm(dir, { recursive: true, force: true });
  });

  it.each(CASES)('$name: one sync makes the target equal to the source, and a second has nothing to do', async ({ name, change, whole }) => {
    await seedBoth([source(), target()], name);
    await change(source(), target(), name);
    expect(await rawRecords(target(), name)).not.toEqual(await rawRecords(source(), name));

    const dry = await sync(name, '--dry-run');
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stderr).toMatch(/changed\s+1 \(the target's version would be replaced/);
    if (whole > 0) expect(dry.stderr).toContain(`replaced whole: ${whole} would be (values the source no longer has`);
    else expect(dry.stderr).not.toContain('replaced whole');

    const run = await sync(name);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`✓ ${name}: 5 on the source`));
    expect(run.stderr).toContain('verify     every source record is on the target, equal');
    if (whole > 0) expect(run.stderr).toContain(`replaced whole: ${whole} (values the source no longer has`);
    expect(await rawRecords(target(), name)).toEqual(await rawRecords(source(), name));

    const again = await sync(name);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/changed\s+0/);
  });

  it('verify against the source: the printed fix for records that differ, followed, makes verify pass', async () => {
    const name = 'verified';
    await seedBoth([source(), target()], name);
    for (const { change } of CASES) await change(source(), target(), name);
    const verify = () => runCli(['verify', '--source-url', source(), '--url', target(), '--collections', name]);
    const found = await verify();
    expect(found.code, found.stderr).toBe(1);
    const lines = `${found.stdout}\n${found.stderr}`.split('\n');
    const at = lines.findIndex((line) => line.startsWith("Differing records: to write the source's over them, run:"));
    expect(at, found.stdout + found.stderr).toBeGreaterThan(-1);
    const [program, ...words] = shellWords(lines[at + 1]!.trim());
    expect(program).toBe('chroma-migrate');
    expect(words[0]).toBe('sync');

    const fix = await runCli(words);
    expect(fix.code, fix.stderr).toBe(0);
    const after = await verify();
    expect(after.code, after.stderr + after.stdout).toBe(0);
    expect(await rawRecords(target(), name)).toEqual(await rawRecords(source(), name));
  });

  it('copy --if-exists append: the printed fix for records that differ, followed, makes verify pass', async () => {
    const name = 'appended';
    await seedBoth([source(), target()], name);
    for (const { change } of CASES) await change(source(), target(), name);
    const out = join(dir, 'appended.jsonl.gz');
    const copy = await runCli(['copy', '--source-url', source(), '--url', target(), '--collections', name, '--out', out, '--if-exists', 'append']);
    expect(copy.code, copy.stderr).toBe(1);
    const lines = `${copy.stdout}\n${copy.stderr}`.split('\n');
    const at = lines.findIndex((line) => line.startsWith('Differing records:'));
    expect(at, copy.stderr).toBeGreaterThan(-1);
    const [program, ...words] = shellWords(lines[at + 1]!.trim());
    expect(program).toBe('chroma-migrate');

    const fix = await runCli(words);
    expect(fix.code, fix.stderr).toBe(0);
    expect(fix.stderr).toContain('replaced whole: 2 (values the backup does not have');
    const verify = await runCli(['verify', '--input', out, '--url', target()]);
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);
    expect(await rawRecords(target(), name)).toEqual(await rawRecords(source(), name));
  });
});

describe('a sync cut between the delete and the write of a record replaced whole', () => {
  let servers: Started[] = [];
  beforeAll(async () => {
    servers = await Promise.all([startTestServer(), startTestServer()]);
  }, 300_000);
  afterAll(async () => {
    await Promise.all(servers.map((one) => one.cleanup()));
  });

  it('leaves the record missing on the target, and the next sync sends it: nothing lost', async () => {
    const [source, target] = [servers[0]!.server.url, servers[1]!.server.url];
    const name = 'cut-between';
    // Every upsert of a record is larger than the proxy lets through; reads and deletes are not.
    await seedBoth([source, target], name, 'b'.repeat(4000));
    await update(target, name, { ids: ['r01'], documents: ['written by the app'] });
    const proxy = await startFaultProxy(target, { maxBodyBytes: 3000 });
    try {
      const cut = await runCli(['sync', '--source-url', source, '--url', proxy.url, '--collections', name]);
      expect(cut.code, cut.stderr).toBe(1);
    } finally {
      await proxy.close();
    }
    const between = await rawRecords(target, name);
    expect(Object.keys(between).sort()).toEqual(['r00', 'r02', 'r03', 'r04']);

    const next = await runCli(['sync', '--source-url', source, '--url', target, '--collections', name]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/added\s+1: r01/);
    expect(await rawRecords(target, name)).toEqual(await rawRecords(source, name));
  });
});
