/**
 * --out and --input are what they claim: a device, a folder or a named pipe is refused in words
 * (never replaced, never a hang), and a file whose header claims more records than it holds is
 * a damaged backup, refused before anything is written.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupWriter } from '../../src/core/backup/jsonl/writer.js';
import { makeRecords } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';

const NOWHERE = 'http://127.0.0.1:9';
const isRoot = process.getuid?.() === 0;

describe('--out and --input', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-paths-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!isRoot)('export --out a character device: refused, and the node is still a device', async () => {
    const device = join(dir, 'full');
    execFileSync('mknod', [device, 'c', '1', '7']); // the same numbers as /dev/full
    const result = await runCli(['export', '--source-url', NOWHERE, '--out', device, '--state', join(dir, 'state.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--out ${device} is a device, not a file chroma-migrate can write a backup to.`);
    expect((await stat(device)).isCharacterDevice()).toBe(true);
  });

  it('export and copy --out a folder, a named pipe or a path in a missing folder: refused in words', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const folder = join(dir, 'folder');
    await mkdir(folder);
    for (const [out, words] of [
      [folder, 'is a folder'],
      [fifo, 'is a named pipe (FIFO)'],
      [join(dir, 'missing', 'b.jsonl.gz'), 'does not exist'],
    ] as const) {
      for (const command of ['export', 'copy']) {
        const target = command === 'copy' ? ['--url', NOWHERE] : [];
        const result = await runCli([command, '--source-url', NOWHERE, ...target, '--out', out, '--all', '--state', join(dir, 'state.json')]);
        expect(result.code, `${command} ${out}: ${result.stderr}`).toBe(1);
        expect(result.stderr).toContain(words);
        expect(result.stderr).not.toMatch(/Unexpected error|EISDIR/);
      }
    }
    expect((await stat(fifo)).isFIFO()).toBe(true);
  });

  it('--input a named pipe or a device: refused at once, never a hang', async () => {
    const fifo = join(dir, 'input-pipe');
    execFileSync('mkfifo', [fifo]);
    for (const input of [fifo, '/dev/null', '/dev/zero']) {
      for (const command of ['import', 'verify']) {
        const result = await runCli([command, '--input', input, '--url', NOWHERE, '--state', join(dir, 'state.json')]);
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(/is (a named pipe \(FIFO\)|a device), not a backup file/);
        expect(result.stderr).toContain('save the stream to a file first');
      }
    }
  });

  it('a header claiming 1000 records over 10 is a damaged backup, refused before writing', async () => {
    const file = join(dir, 'claims-more.jsonl');
    const writer = await BackupWriter.open(file, { source: { url: 'http://x', tenant: 't', database: 'd', cloud: false } });
    await writer.writeCollectionHeader({ name: 'short', metadata: null, space: 'l2', count: 10, dimension: 4, configuration: null, schema: null });
    await writer.writeRecords(makeRecords(10, { dim: 4 }));
    await writer.writeCollectionEnd('short', 10);
    await writer.finish();
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"count":10,', '"count":1000,'));
    // NOWHERE: had it got as far as writing, it would fail to connect instead.
    const result = await runCli(['import', '--input', file, '--url', NOWHERE, '--state', join(dir, 'state.json'), '--if-exists', 'append']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('collection "short" claims 1000 records in its header, but holds 10');
    expect(result.stderr).not.toMatch(/reach|connect/i);
  });
});

it('copy --as with --all is a usage mistake (exit 2), said before anything is read', async () => {
  const result = await runCli(['copy', '--source-url', NOWHERE, '--url', NOWHERE, '--out', join(tmpdir(), 'never.jsonl.gz'), '--all', '--as', 'x']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--as renames one collection');
});

it('a UTF-16 file (PowerShell\'s >) is named as such, with the command that converts it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cm-utf16-'));
  try {
    const json = JSON.stringify({ collection_name: 'c', records: [{ id: 'a', embedding: [1, 2], document: 'x', metadata: null }] });
    const cases: Array<[string, Buffer]> = [
      ['bom-le.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')])],
      ['no-bom-le.json', Buffer.from(json, 'utf16le')],
      ['bom-be.json', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(json, 'utf16le').swap16()])],
    ];
    for (const [name, bytes] of cases) {
      await writeFile(join(dir, name), bytes);
      const result = await runCli(['import', '--input', join(dir, name), '--url', NOWHERE, '--state', join(dir, 'state.json')]);
      expect(result.code, name).toBe(1);
      expect(result.stderr, name).toMatch(/it is text in UTF-16 \((little|big)-endian\)/);
      expect(result.stderr).toContain('iconv -f UTF-16 -t UTF-8');
      expect(result.stderr).not.toContain('binary');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
