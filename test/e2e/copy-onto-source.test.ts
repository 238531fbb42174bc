/**
 * A copy whose target is its own source (one server under two addresses, or --as the source's
 * own name) is refused before anything is deleted or written, whatever --if-exists says; a copy
 * into another collection of the same server still goes.
 */
import { readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { useChromaServer } from '../helpers/chroma.js';
import { makeTempDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

const server = useChromaServer();
let dir = '';
const records = makeRecords(120, { dim: 8, prefix: 'self' });

beforeAll(async () => {
  dir = await makeTempDir();
  const api = new ChromaApi(endpoint({ url: server.url }));
  const info = await api.createCollection({ name: 'selfcopy', metadata: null, space: 'l2' });
  await api.upsert(info.id, records, { base64: true });
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The same server by its other name: localhost for 127.0.0.1 and the reverse. */
function otherAddress(url: string): string {
  return url.includes('127.0.0.1') ? url.replace('127.0.0.1', 'localhost') : url.replace('localhost', '127.0.0.1');
}

async function idsOf(name: string): Promise<string[]> {
  const api = new ChromaApi(endpoint({ url: server.url }));
  const info = await api.findCollection(name);
  return info ? (await api.get(info.id, { include: [] })).ids.sort() : [];
}

describe('copy onto its own source', () => {
  it.each([
    ['--if-exists recreate, the server under another address', ['--if-exists', 'recreate']],
    ['--if-exists append', ['--if-exists', 'append']],
    ['--as the source name, --yes', ['--as', 'selfcopy', '--yes']],
  ])('is refused before anything is deleted or written: %s', async (_what, flags) => {
    const out = join(dir, `self-${flags.join('')}.jsonl.gz`);
    const run = await runCli(['copy', '--source-url', server.url, '--url', otherAddress(server.url), '--collections', 'selfcopy', '--out', out, '--state', join(dir, `state-${flags.join('')}.json`), ...flags]);
    expect(run.code, run.stderr).not.toBe(0);
    expect(run.stderr).toContain('is the very collection this copy reads');
    expect(run.stderr).toContain('Nothing was deleted or written');
    expect(run.stderr).not.toContain('Deleting collection');
    expect(await idsOf('selfcopy')).toEqual(records.map((record) => record.id).sort());
    // Nothing of the refused run is left: no backup, no .partial, no lock.
    expect((await readdir(dir)).filter((name) => name.startsWith(basename(out)))).toEqual([]);
  }, 180_000);

  it('--dry-run names it in the plan as refused, and exits 1', async () => {
    const run = await runCli(['copy', '--source-url', server.url, '--url', otherAddress(server.url), '--collections', 'selfcopy', '--out', join(dir, 'dry.jsonl.gz'), '--state', join(dir, 'dry.json'), '--if-exists', 'recreate', '--dry-run']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/target {9}exists with 120 records, space l2 → ✗ refused: it is the very collection the copy reads/);
    expect(await idsOf('selfcopy')).toEqual(records.map((record) => record.id).sort());
  }, 180_000);

  it('a copy into another collection of the same server goes, and leaves the source as it was', async () => {
    const run = await runCli(['copy', '--source-url', server.url, '--url', server.url, '--collections', 'selfcopy', '--as', 'selfcopy_moved', '--out', join(dir, 'moved.jsonl.gz'), '--state', join(dir, 'moved.json')]);
    expect(run.code, run.stderr).toBe(0);
    expect(await idsOf('selfcopy_moved')).toEqual(records.map((record) => record.id).sort());
    expect(await idsOf('selfcopy')).toEqual(records.map((record) => record.id).sort());
  }, 180_000);
});
