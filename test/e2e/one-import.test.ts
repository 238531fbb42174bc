/**
 * One import of a backup at a time, against a REAL server: the same import started twice (as a
 * user re-runs a command in a second terminal) — the second stops at once naming the first and
 * its lock, writing nothing; the first finishes and verifies.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChromaServer } from '../helpers/chroma.js';
import { makeTempDir } from '../helpers/backup.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const server = useChromaServer();
let dir = '';
let input = '';

beforeAll(async () => {
  dir = await makeTempDir();
  input = join(dir, 'one import.json');
  await writePythonRowsJson(input, 'oneimport', makeRecords(20_000, { dim: 16, prefix: 'oi' }), { metadata: { 'hnsw:space': 'l2' } });
}, 180_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the same import twice at once', () => {
  it('the second refuses naming the lock; the first completes and verifies', async () => {
    const args = ['import', '--input', input, '--url', server.url, '--if-exists', 'append', '--batch', '200', '--concurrency', '1'];
    const first = spawnCli(args, { env: { CHROMA_MIGRATE_STATE: join(dir, 'state.json') } });
    while (!/Importing "oneimport"/.test(first.output())) {
      if (first.exitCode !== null) throw new Error(first.output());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const second = await runCli(args, { CHROMA_MIGRATE_STATE: join(dir, 'state.json') });
    const firstCode = await exitOf(first);
    expect(second.code, second.stderr).not.toBe(0);
    expect(second.stderr).toMatch(/one import\.json is in use by chroma-migrate pid \d+ \(import\)/);
    expect(second.stderr).toContain(`${input}.lock`);
    expect(firstCode, first.output()).toBe(0);
    expect(existsSync(`${input}.lock`)).toBe(false);
    const verify = await runCli(['verify', '--input', input, '--url', server.url]);
    expect(verify.code, verify.stderr).toBe(0);
  }, 600_000);
});
