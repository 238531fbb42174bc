/**
 * Ids from the data in human output: an id cannot forge a line of the report or reach the
 * terminal as escape codes, and ids that differ only invisibly print apart. --json stays raw.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { useTwoServers } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';

const EVIL = 'evil\n✓ inject: 3 at the source, all equal\n    x';
const ESCAPES = 'esc\x1b[1A\x1b[2K\r✓ all good\x1b[0m';
const NFD = 'nfd-e\u0301';
const NFC = 'nfd-\u00e9';

let dir = '';
const { source, target } = useTwoServers();

beforeAll(async () => {
  dir = await makeTempDir();
}, 60_000);
afterAll(async () => {
  await removeDir(dir);
});

async function seed(url: string, name: string, ids: string[]): Promise<{ api: ChromaApi; id: string }> {
  const api = new ChromaApi(endpoint({ url }));
  const info = (await api.findCollection(name)) ?? (await api.createCollection({ name, metadata: null, space: 'l2' }));
  const records = makeRecords(ids.length, { dim: 4 }).map((record, index) => ({ ...record, id: ids[index]! }));
  if (records.length > 0) await api.upsert(info.id, records, { base64: true });
  return { api, id: info.id };
}

describe('ids printed in a report', () => {
  it('show an id with a newline or escape codes quoted and escaped, and tell apart ids that look alike', async () => {
    await seed(source.server.url, 'inject', ['plain-1', 'plain-2', EVIL, ESCAPES]);
    await seed(source.server.url, 'lookalike', ['same-1', 'trail-space ', NFD]);
    const copied = await runCli(['copy', '--all', '--out', join(dir, 'b.jsonl'), '--source-url', source.server.url, '--url', target.server.url]);
    expect(copied.code).toBe(0);

    const inject = await seed(target.server.url, 'inject', []);
    await inject.api.deleteRecords(inject.id, [EVIL, ESCAPES]);
    const lookalike = await seed(target.server.url, 'lookalike', ['trail-space', NFC]);
    await lookalike.api.deleteRecords(lookalike.id, ['trail-space ', NFD]);

    const args = ['verify', '--source-url', source.server.url, '--url', target.server.url];
    const verified = await runCli(args);
    expect(verified.code).toBe(1);
    const printed = verified.stdout + verified.stderr;
    expect(printed).not.toContain('\x1b');
    expect(printed.split('\n').filter((line) => line.startsWith('✓ inject'))).toEqual([]);
    expect(verified.stderr).toContain('✗ inject: 2 of 4 at the source equal (2 missing)');
    expect(verified.stderr).toContain(JSON.stringify(EVIL));
    expect(verified.stderr).toContain('"esc\\u001b[1A\\u001b[2K\\r✓ all good\\u001b[0m"');
    expect(verified.stderr).toMatch(/missing\s+2: .*"trail-space "/);
    expect(verified.stderr).toMatch(/missing\s+2: .*"nfd-e\\u0301"/);
    expect(verified.stderr).toMatch(/not at source\s+2: .*trail-space(,|$)/m);
    expect(verified.stderr).toMatch(/not at source\s+2: .*nfd-\u00e9(,|$)/m);

    // --json keeps the ids as they are: JSON escapes them already.
    const json = JSON.parse((await runCli([...args, '--json'])).stdout);
    const missing = json.collections.find((entry: { collection: string }) => entry.collection === 'inject').missingIds;
    expect(missing.sort()).toEqual([ESCAPES, EVIL].sort());

    const dryRun = await runCli(['sync', '--all', '--dry-run', '--source-url', source.server.url, '--url', target.server.url]);
    expect(dryRun.code).toBe(1);
    const synced = dryRun.stdout + dryRun.stderr;
    expect(synced).not.toContain('\x1b');
    expect(synced.split('\n').filter((line) => line.startsWith('✓ inject'))).toEqual([]);
    expect(synced).toContain(JSON.stringify(EVIL));
  }, 300_000);
});
