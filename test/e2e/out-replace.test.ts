/**
 * --out never takes the place of a file that is not the command's own earlier work: a user's
 * file, a fuller backup, the data folder being read. The same command run again still writes its
 * own file again (or continues its .partial); --overwrite replaces on purpose. A copy refused
 * before it wrote anything leaves no file of its own behind.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { ensureDatabase } from '../../src/core/chroma/databases.js';
import { inspectBackup } from '../../src/core/backup/read.js';
import { startChromaServer } from '../../src/core/local-server/chroma-server.js';
import { useTwoServers } from '../helpers/chroma.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

const { source, target } = useTwoServers();
let dir = '';
const NAMES = ['alpha', 'beta', 'gamma'];

beforeAll(async () => {
  dir = await makeTempDir();
  for (const database of ['default_database', 'second']) {
    const at = endpoint({ url: source.url, database });
    await ensureDatabase(at, database);
    const api = new ChromaApi(at);
    for (const name of NAMES) {
      const info = await api.createCollection({ name, metadata: null, space: 'l2' });
      await api.upsert(info.id, makeRecords(30, { dim: 4, prefix: `${database}-${name}` }), { base64: true });
    }
  }
}, 120_000);
afterAll(() => removeDir(dir));

const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');
const names = async (path: string) => (await inspectBackup(path)).collections.map((header) => `${header.database ?? ''}/${header.name}`);

describe('an --out that is already there', () => {
  it("a user's file is kept: export, copy and sync refuse it (exit 2) with the way on, and the target is untouched", async () => {
    const precious = join(dir, 'precious.txt');
    await writeFile(precious, 'my notes\n');
    for (const args of [
      ['export', '--all', '--source-url', source.url, '--out', precious],
      ['copy', '--all', '--source-url', source.url, '--url', target.url, '--out', precious, '--yes'],
      ['export', '--all-databases', '--source-url', source.url, '--out', precious],
      ['copy', '--all-databases', '--source-url', source.url, '--url', target.url, '--out', precious, '--yes'],
      // sync writes its backup last: the file is asked about before the target is written.
      ['sync', '--all', '--source-url', source.url, '--url', target.url, '--out', precious],
    ]) {
      const run = await runCli([...args, '--state', join(dir, 'precious-state.json')]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(`${precious} exists, and it is not a backup this export wrote before`);
      expect(run.stderr).toContain('Pick another --out, or add --overwrite to replace it.');
      expect(await readFile(precious, 'utf8')).toBe('my notes\n');
    }
    expect((await readdir(dir)).filter((name) => name.startsWith('precious'))).toEqual(['precious-state.json', 'precious.txt']);
    expect(await new ChromaApi(endpoint({ url: target.url })).allCollections()).toEqual([]);
  }, 180_000);

  it('a fuller backup is not replaced by a narrower export; the same export again, and --overwrite, do replace', async () => {
    const out = join(dir, 'full.jsonl.gz');
    const state = ['--state', join(dir, 'full-state.json')];
    expect((await runCli(['export', '--all', '--source-url', source.url, '--out', out, ...state])).code).toBe(0);
    const full = await sha(out);
    const again = await runCli(['export', '--all', '--source-url', source.url, '--out', out, ...state]);
    expect(again.code, again.stderr).toBe(0);
    expect(await names(out)).toEqual(['/alpha', '/beta', '/gamma']);
    const narrower = await runCli(['export', '--collections', 'beta', '--source-url', source.url, '--out', out, ...state]);
    expect(narrower.code, narrower.stderr).toBe(2);
    expect(narrower.stderr).toContain('add --overwrite to replace it');
    expect(await names(out)).toEqual(['/alpha', '/beta', '/gamma']);
    // Another state (another folder, or the file brought from elsewhere): not known as ours.
    const elsewhere = await runCli(['export', '--all', '--source-url', source.url, '--out', out, '--state', join(dir, 'other-state.json')]);
    expect(elsewhere.code, elsewhere.stderr).toBe(2);
    expect(full).not.toBe('');
    const chosen = await runCli(['export', '--collections', 'beta', '--source-url', source.url, '--out', out, '--overwrite', ...state]);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(await names(out)).toEqual(['/beta']);
  }, 180_000);

  it('export --all-databases and copy --all-databases run again write their own file again; a narrower one is refused', async () => {
    for (const command of ['export', 'copy']) {
      const out = join(dir, `all-${command}.jsonl.gz`);
      const state = ['--state', join(dir, `all-${command}-state.json`)];
      const targetFlags = command === 'copy' ? ['--url', target.url, '--yes'] : [];
      const args = [command, '--all-databases', '--source-url', source.url, ...targetFlags, '--out', out, ...state];
      expect((await runCli(args)).code).toBe(0);
      const again = await runCli(args);
      expect(again.code, again.stderr).toBe(0);
      expect(await names(out)).toHaveLength(6);
      const narrower = await runCli([...args, '--collections', 'alpha']);
      expect(narrower.code, narrower.stderr).toBe(2);
      expect(narrower.stderr).toContain('add --overwrite to replace it');
      expect(await names(out)).toHaveLength(6);
    }
  }, 300_000);
});

describe('--out inside the data folder being read', () => {
  it('is refused however it is spelled, and every file of the folder stays as it was', async () => {
    const folder = join(dir, 'folder ~x');
    const server = await startChromaServer({ path: folder, logFile: join(dir, 'writer.log') });
    try {
      const api = new ChromaApi(endpoint({ url: server.url }));
      const info = await api.createCollection({ name: 'coll', metadata: null, space: 'l2' });
      await api.upsert(info.id, makeRecords(5, { dim: 2 }), { base64: true });
    } finally {
      await server.stop();
      await rm(join(folder, 'chroma-server.pid'), { force: true });
    }
    const before = await sha(join(folder, 'chroma.sqlite3'));
    await symlink(folder, join(dir, 'link-to-folder'));
    await mkdir(join(dir, 'beside'));
    for (const [command, out] of [
      ['export', join(folder, 'chroma.sqlite3')],
      ['export', join(folder, 'backup.jsonl.gz')],
      ['export', join(dir, 'beside', '..', 'folder ~x', 'chroma.sqlite3')],
      ['export', join(dir, 'link-to-folder', 'chroma.sqlite3')],
      ['copy', join(dir, 'link-to-folder', 'b.jsonl.gz')],
      ['copy --all-databases', join(folder, 'chroma.sqlite3')],
    ] as const) {
      const targetFlags = command === 'export' ? [] : ['--url', target.url, '--yes'];
      const run = await runCli([...command.split(' '), '--all', '--source-path', folder, ...targetFlags, '--out', out, '--state', join(dir, 'folder-state.json')]);
      expect(run.code, `${command} ${out}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain('is inside the data folder being read');
    }
    expect(await sha(join(folder, 'chroma.sqlite3'))).toBe(before);
    expect((await readdir(folder)).filter((name) => !/^[0-9a-f-]{36}$/.test(name)).sort()).toEqual(['chroma.sqlite3']);
    expect(existsSync(join(dir, 'beside', 'chroma.sqlite3'))).toBe(false);
  }, 180_000);
});
