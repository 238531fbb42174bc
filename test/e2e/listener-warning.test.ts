/**
 * Several collections in flight each listen to the run's one abort signal (a file reader, the
 * requests, the retries' waits): more than Node's default of 10, which is no leak. Node then
 * printed "MaxListenersExceededWarning: Possible EventTarget memory leak detected" into the
 * user's terminal, over the wizard's screen too. The real CLI, a real server.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChromaServer } from '../helpers/chroma.js';
import { exitOf, spawnCli } from '../helpers/cli.js';
import { makeRecords, writePythonMultiJson } from '../helpers/fixtures.js';
import { makeTempDir } from '../helpers/backup.js';

const chroma = useChromaServer();
let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('an import of many collections at once', () => {
  it('says nothing of a memory leak', async () => {
    const input = join(dir, 'many.json');
    const names = Array.from({ length: 8 }, (_, k) => `many_${k}`);
    await writePythonMultiJson(input, names.map((name, k) => ({ name, metadata: { 'hnsw:space': 'l2' }, records: makeRecords(600, { dim: 8, seed: k + 1 }) })));
    const child = spawnCli(['import', '--input', input, '--url', chroma.url, '--parallel', '8', '--batch', '100', '--state', join(dir, 'state.json')]);
    const code = await exitOf(child);
    expect(code, child.output()).toBe(0);
    expect(child.output()).not.toContain('MaxListenersExceededWarning');
  }, 120_000);
});
