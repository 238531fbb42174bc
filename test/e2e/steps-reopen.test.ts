/**
 * Steps 5 and 6 stay done only while what they proved holds: a later import that changes the
 * target (above all a recreate, which deletes what was verified) sets step 5 back to in progress
 * until its own result is saved, and step 6 to be done again.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChromaServer } from '../helpers/chroma.js';
import { makeTempDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeRecords, writePythonRowsJson } from '../helpers/fixtures.js';

const server = useChromaServer();
let dir = '';
let failing: FaultProxy | undefined;

beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await failing?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('status after a later import changes the target', () => {
  it('a recreate that fails part-way: step 5 is not ✓ and step 6 is no longer ✓', async () => {
    const input = join(dir, 'steps.json');
    await writePythonRowsJson(input, 'steps_docs', makeRecords(300, { dim: 8, prefix: 'st' }), { metadata: { 'hnsw:space': 'l2' } });
    const state = join(dir, 'state.json');
    const imported = await runCli(['import', '--input', input, '--url', server.url, '--state', state, '--if-exists', 'abort']);
    expect(imported.code, imported.stderr).toBe(0);
    const verified = await runCli(['verify', '--input', input, '--url', server.url, '--state', state]);
    expect(verified.code, verified.stderr).toBe(0);
    const before = (await runCli(['status', '--state', state])).stdout;
    expect(before).toMatch(/\[✓\] 5\. Import the backup/);
    expect(before).toMatch(/\[✓\] 6\. Verify/);

    // The target refuses every request body over 100 bytes: the recreate deletes the collection, then stops.
    failing = await startFaultProxy(server.url);
    failing.setRules({ maxBodyBytes: 100 });
    const recreate = await runCli(['import', '--input', input, '--url', failing.url, '--state', state, '--if-exists', 'recreate']);
    expect(recreate.code).not.toBe(0);
    const after = (await runCli(['status', '--state', state])).stdout;
    expect(after).not.toMatch(/\[✓\] 5\. Import the backup/);
    expect(after).not.toMatch(/\[✓\] 6\. Verify/);
  }, 180_000);
});
