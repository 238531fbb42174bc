/**
 * `copy --dry-run` says what the real run would do, in the real run's words and with its exit
 * code: an --out already there that is not the copy's own (the real run stops there, exit 2,
 * leaving it as it is), and a source database that is missing or holds no collections (the real
 * run refuses it before anything is written). Against real servers; nothing is written.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { databaseExists, ensureDatabase } from '../../src/core/chroma/databases.js';
import { useTwoServers } from '../helpers/chroma.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

const { source, target } = useTwoServers();
let dir = '';

beforeAll(async () => {
  dir = await makeTempDir();
  const api = new ChromaApi(endpoint({ url: source.url }));
  const info = await api.createCollection({ name: 'alpha', metadata: null, space: 'l2' });
  await api.upsert(info.id, makeRecords(40, { dim: 4 }), { base64: true });
  await ensureDatabase(endpoint({ url: source.url, database: 'empty' }), 'empty');
}, 120_000);
afterAll(() => removeDir(dir));

const copy = (out: string, ...more: string[]) => runCli(['copy', '--all', '--source-url', source.url, '--url', target.url, '--out', out, '--state', join(dir, 'state.json'), '--yes', ...more]);

describe('copy --dry-run and an --out that is already there', () => {
  it("a user's file: the dry run says the copy would stop there, with the real run's words and exit code", async () => {
    const precious = join(dir, 'precious.txt');
    await writeFile(precious, 'my notes\n');
    const real = await copy(precious);
    const dry = await copy(precious, '--dry-run');
    expect(real.code).toBe(2);
    expect(dry.code).toBe(real.code);
    for (const words of [`${precious} exists, and it is not a backup this export wrote before`, 'Pick another --out, or add --overwrite to replace it.']) {
      expect(real.stderr).toContain(words);
      expect(dry.stderr).toContain(words);
    }
    // The plan is still shown, and nothing was written.
    expect(dry.stderr).toContain('"alpha": 40 records');
    const json = JSON.parse((await copy(precious, '--dry-run', '--json')).stdout) as { ok: boolean; out: { path: string; claim: string } };
    expect(json).toMatchObject({ ok: false, out: { path: precious, claim: 'taken' } });
    expect(await readFile(precious, 'utf8')).toBe('my notes\n');
    expect((await readdir(dir)).filter((name) => name.startsWith('precious'))).toEqual(['precious.txt']);
    expect(await new ChromaApi(endpoint({ url: target.url })).allCollections()).toEqual([]);
  }, 60_000);

  it('with --overwrite the dry run says the file would be replaced, and runs (exit 0)', async () => {
    const precious = join(dir, 'replace-me.txt');
    await writeFile(precious, 'old\n');
    const dry = await copy(precious, '--dry-run', '--overwrite');
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`${precious} exists: the copy would replace it (--overwrite).`);
    expect(await readFile(precious, 'utf8')).toBe('old\n');
  }, 60_000);
});

describe('copy --dry-run and a source database with nothing to copy', () => {
  it('one that holds no collections, or is not there, is refused as the real run refuses it', async () => {
    for (const database of ['empty', 'no_such_db']) {
      const out = join(dir, `${database}.jsonl.gz`);
      const real = await copy(out, '--database', database);
      const dry = await copy(out, '--database', database, '--dry-run');
      expect(real.code, real.stderr).toBe(1);
      expect(dry.code, dry.stderr).toBe(real.code);
      const words = database === 'empty' ? `Database "empty" at ${source.url} holds no collections` : 'Database "no_such_db" was not found';
      expect(real.stderr).toContain(words);
      expect(dry.stderr).toContain(words);
    }
    expect(await new ChromaApi(endpoint({ url: target.url })).allCollections()).toEqual([]);
  }, 60_000);
});

describe('copy --all-databases --dry-run', () => {
  it("shows each database's plan and writes nothing: no database on the target, no backup, no folder of parts", async () => {
    const out = join(dir, 'all.jsonl.gz');
    const args = ['copy', '--all-databases', '--source-url', source.url, '--url', target.url, '--out', out, '--state', join(dir, 'all-state.json'), '--dry-run'];
    const dry = await runCli(args);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain('"alpha": 40 records');
    expect(dry.stderr).toContain('The target has no database empty: the copy would create it.');
    expect((await readdir(dir)).filter((name) => name.startsWith('all'))).toEqual([]);
    expect(await databaseExists(endpoint({ url: target.url }), 'empty')).toBe(false);
    expect(await new ChromaApi(endpoint({ url: target.url })).allCollections()).toEqual([]);

    // A file there that is not the copy's own: said, with the real run's exit code.
    await writeFile(out, 'mine\n');
    const taken = await runCli(args);
    expect(taken.code, taken.stderr).toBe(2);
    expect(taken.stderr).toContain(`${out} exists, and it is not a backup this export wrote before`);
    expect(await readFile(out, 'utf8')).toBe('mine\n');
    // --json says the same as the exit code: not ok.
    const json = await runCli([...args, '--json']);
    expect(json.code, json.stderr).toBe(2);
    expect(JSON.parse(json.stdout).ok).toBe(false);
    expect((await readdir(dir)).filter((name) => name.startsWith('all'))).toEqual(['all.jsonl.gz']);
  }, 60_000);
});
