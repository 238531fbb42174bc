import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { startChromaServer } from '../../src/core/local-server/chroma-server.js';
import { COPY_PREFIX } from '../../src/core/sources/folder/copy.js';
import { startTestServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';
import { ensureOldChroma } from '../helpers/old-chroma.js';

let dir = '';
let target: Awaited<ReturnType<typeof startTestServer>>;

/** A data folder written by a real server that is then stopped, as an app leaves it. */
async function writeFolder(path: string, cliPath?: string): Promise<void> {
  const server = await startChromaServer({ path, cliPath, logFile: join(dir, `writer-${Date.now()}.log`) });
  try {
    const api = new ChromaApi(endpoint({ url: server.url }));
    for (const [name, count, space] of [['notes', 420, 'cosine'], ['tickets', 75, 'l2']] as const) {
      const info = await api.createCollection({ name, metadata: { owner: 'folder' }, space });
      const records = makeRecords(count, { dim: 8, prefix: name, nullDocEvery: 9 });
      for (let i = 0; i < records.length; i += 200) await api.upsert(info.id, records.slice(i, i + 200), { base64: cliPath === undefined });
    }
  } finally {
    await server.stop();
    // Removed as the server exits, asynchronously: gone before the test takes its checksums.
    await rm(join(path, 'chroma-server.pid'), { force: true });
  }
}

/** sha256 of every file under `root`, by relative path. */
async function checksums(root: string): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  const walk = async (path: string, rel: string) => {
    for (const name of (await readdir(path)).sort()) {
      const full = join(path, name);
      if ((await stat(full)).isDirectory()) await walk(full, `${rel}${name}/`);
      else sums[`${rel}${name}`] = createHash('sha256').update(await readFile(full)).digest('hex');
    }
  };
  await walk(root, '');
  return sums;
}

async function copiesLeft(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith(COPY_PREFIX));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-source-path-'));
  target = await startTestServer();
}, 120_000);
afterAll(async () => {
  await target?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('export --source-path', () => {
  for (const release of ['bundled', 'old'] as const) {
    it(`reads a folder written by the ${release} server, leaves every file byte-identical, and the backup imports and verifies`, async () => {
      const folder = join(dir, `folder-${release}`);
      await writeFolder(folder, release === 'old' ? await ensureOldChroma() : undefined);
      const before = await checksums(folder);
      const leftBefore = await copiesLeft();
      const out = join(dir, `${release}.jsonl.gz`);
      const exported = await runCli(['export', '--source-path', folder, '--all', '--out', out, '--json']);
      expect(exported.stderr).not.toMatch(/✗|Error/);
      expect(exported.code).toBe(0);
      expect(JSON.parse(exported.stdout).collections).toEqual([
        { name: 'notes', count: 420 },
        { name: 'tickets', count: 75 },
      ]);
      expect(await checksums(folder)).toEqual(before);
      expect(await copiesLeft()).toEqual(leftBefore);

      const as = `-${release}`;
      for (const name of ['notes', 'tickets']) {
        const imported = await runCli(['import', '--input', out, '--collection', name, '--as', `${name}${as}`, '--url', target.server.url, '--yes']);
        expect(imported.code, imported.stderr).toBe(0);
        const verified = await runCli(['verify', '--input', out, '--collection', name, '--as', `${name}${as}`, '--url', target.server.url]);
        expect(verified.code, verified.stderr).toBe(0);
      }
    }, 300_000);
  }
});

describe('folders that cannot be read are explained', () => {
  const cases: Array<[string, (path: string) => Promise<void>, RegExp]> = [
    ['an empty folder', async (path) => mkdir(path), /is empty/],
    ['a Chroma 0.3 DuckDB folder', async (path) => {
      await mkdir(path);
      await writeFile(join(path, 'chroma-collections.parquet'), 'PAR1');
    }, /Chroma 0\.3 folder[\s\S]*pip install chroma-migrate/],
    ['a file', async (path) => writeFile(path, 'hello'), /is a file, not a folder/],
    ['random bytes as chroma.sqlite3', async (path) => {
      await mkdir(path);
      await writeFile(join(path, 'chroma.sqlite3'), Buffer.alloc(4096, 7));
    }, /not a Chroma database/],
    ['a truncated database', async (path) => {
      await writeFolder(path);
      const file = join(path, 'chroma.sqlite3');
      await truncate(file, Math.floor((await stat(file)).size / 2));
    }, /damaged or was copied incompletely/],
    ['another program\'s SQLite file', async (path) => {
      await mkdir(path);
      // A valid, empty SQLite database: the header and one page.
      const page = Buffer.alloc(4096);
      page.write('SQLite format 3\0', 0, 'latin1');
      page.writeUInt16BE(4096, 16);
      page.writeUInt8(1, 18);
      page.writeUInt8(1, 19);
      page.writeUInt8(64, 21);
      page.writeUInt8(32, 22);
      page.writeUInt8(32, 23);
      page.writeUInt32BE(1, 28);
      page.writeUInt32BE(4, 44);
      page.writeUInt32BE(1, 56);
      page.writeUInt8(13, 100);
      page.writeUInt16BE(4096, 105);
      await writeFile(join(path, 'chroma.sqlite3'), page);
    }, /holds no Chroma collections/],
  ];
  for (const [what, make, expected] of cases) {
    it(`${what}`, async () => {
      const path = join(dir, `bad-${what.replace(/\W+/g, '-')}`);
      await make(path);
      const before = await checksums(path).catch(() => null);
      const run = await runCli(['export', '--source-path', path, '--all', '--out', join(dir, 'never.jsonl')]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(expected);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      if (before) expect(await checksums(path)).toEqual(before);
    }, 120_000);
  }
});

describe('a folder in use', () => {
  it('is refused while a server has chroma.sqlite3 open, naming the process', async () => {
    const folder = join(dir, 'in-use');
    const server = await startChromaServer({ path: folder, logFile: join(dir, 'in-use.log') });
    try {
      const run = await runCli(['export', '--source-path', folder, '--all', '--out', join(dir, 'never.jsonl')]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`is in use: .*\\(pid ${server.pid}\\) has chroma\\.sqlite3 open`));
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('copy --source-path copies into a target and verifies every record', async () => {
    const folder = join(dir, 'for-copy');
    await writeFolder(folder);
    const before = await checksums(folder);
    const run = await runCli(['copy', '--source-path', folder, '--collections', 'tickets', '--as', 'tickets-copied', '--out', join(dir, 'copy.jsonl'), '--url', target.server.url, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/✓ tickets-copied/);
    const verified = await runCli(['verify', '--source-path', folder, '--collections', 'tickets', '--as', 'tickets-copied', '--url', target.server.url]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(await checksums(folder)).toEqual(before);
  }, 300_000);
});
