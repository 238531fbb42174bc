import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/core/util/errors.js';
import { shellWords } from '../../helpers/shell-words.js';
import { loadState, saveState, emptyState, StateStore } from '../../../src/core/state/store.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the migration state file', () => {
  it('a missing file is a fresh state; a saved one loads back, 0600', async () => {
    const path = join(dir, 'a', 'state.json');
    expect((await loadState(path)).steps).toEqual({});
    const state = emptyState(new Date('2026-11-25T10:00:00Z'));
    await saveState(path, { ...state, steps: { export: { status: 'done' } } });
    expect((await loadState(path)).steps.export?.status).toBe('done');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('a damaged or foreign file is explained, never silently reset', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"version":1,"steps":');
    await expect(loadState(path)).rejects.toThrow(/damaged \(it is not valid JSON\)/);
    await writeFile(path, JSON.stringify({ version: 99 }));
    await expect(loadState(path)).rejects.toThrow(/damaged.*version/);
    expect(await readFile(path, 'utf8')).toContain('99');
  });

  it("the damaged file's mv hint can be pasted into a shell, whatever the path holds", async () => {
    const path = join(dir, "corrupt state ~ it's", 'state.json');
    await saveState(path, emptyState());
    await writeFile(path, '{');
    const error = await loadState(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrateError);
    const command = /\((mv .+)\) to start over/.exec((error as MigrateError).fix ?? '')?.[1] ?? '';
    expect(shellWords(command)).toEqual(['mv', path, `${path}.bad`]);
  });

  it('a version 1 file (before runs were kept) loads as version 5 with no runs, its checkpoints intact', async () => {
    const path = join(dir, 'v1.json');
    const checkpoint = { backup: '/b.jsonl.gz', fingerprint: 'f', target: 'http://h:1/t/d', collection: 'c', sourceCollection: 'c', batchSize: 10, committed: 5, total: 9, done: false, updatedAt: '' };
    await writeFile(path, JSON.stringify({ version: 1, createdAt: 'x', updatedAt: 'x', steps: {}, imports: [checkpoint], exports: [] }));
    const state = await loadState(path);
    expect(state.version).toBe(5);
    expect(state.envOrigins).toEqual([]);
    expect(state.runs).toEqual([]);
    expect(state.deployTokens).toEqual([]);
    expect(state.imports).toEqual([checkpoint]);
  });

  it('a version 3 file (before step 2\'s tokens were noted) loads as version 5, everything in it kept', async () => {
    const path = join(dir, 'v3.json');
    const origin = { dotenv: '/app/.env', backup: null, at: 'x' };
    await writeFile(path, JSON.stringify({ version: 3, createdAt: 'x', updatedAt: 'x', steps: { export: { status: 'done' } }, imports: [], exports: [], runs: [], envOrigins: [origin] }));
    const state = await loadState(path);
    expect(state).toMatchObject({ version: 5, steps: { export: { status: 'done' } }, envOrigins: [origin], deployTokens: [], importPlans: [] });
  });

  it('a version 4 file (before step 3\'s token source was noted) loads as version 5 without it, everything in it kept', async () => {
    const path = join(dir, 'v4.json');
    const token = { dotenv: '/app/.env', digest: '0123456789abcdef', at: 'x' };
    await writeFile(path, JSON.stringify({ version: 4, createdAt: 'x', updatedAt: 'x', steps: { connect: { status: 'done' } }, targetUrl: 'https://h', deployTokens: [token] }));
    const state = await loadState(path);
    expect(state).toMatchObject({ version: 5, steps: { connect: { status: 'done' } }, targetUrl: 'https://h', deployTokens: [token] });
    expect(state.targetToken).toBeUndefined();
  });

  it('concurrent updates through one store never lose each other', async () => {
    const path = join(dir, 'concurrent.json');
    const store = await StateStore.open(path);
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        store.update((state) => ({ ...state, steps: { ...state.steps, [`import`]: { status: 'active', detail: String(index) } }, ingestCommand: `${state.ingestCommand ?? ''}${index},` })),
      ),
    );
    const saved = await loadState(path);
    expect(saved.ingestCommand?.split(',').filter(Boolean)).toHaveLength(20);
  });

  it('updates waiting on a write share the next one, and each resolves with the state after its own change', async () => {
    const path = join(dir, 'shared-writes.json');
    const store = await StateStore.open(path);
    const results = await Promise.all(['a', 'b', 'c'].map((mark) => store.update((state) => ({ ...state, ingestCommand: `${state.ingestCommand ?? ''}${mark}` }))));
    expect(results.map((state) => state.ingestCommand)).toEqual(['a', 'ab', 'abc']);
    expect((await loadState(path)).ingestCommand).toBe('abc');
  });

  it('a change that throws fails alone: the others written with it are saved', async () => {
    const path = join(dir, 'one-throws.json');
    const store = await StateStore.open(path);
    const outcomes = await Promise.allSettled([
      store.update((state) => ({ ...state, backupPath: '/kept' })),
      store.update(() => {
        throw new Error('refused');
      }),
      store.update((state) => ({ ...state, targetUrl: 'http://kept' })),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await loadState(path)).toMatchObject({ backupPath: '/kept', targetUrl: 'http://kept' });
  });

  it('a file another run wrote since this store last saved it is read again, its entries kept', async () => {
    const path = join(dir, 'outside.json');
    const store = await StateStore.open(path);
    await store.update((state) => ({ ...state, backupPath: '/mine' }));
    // Another process's save (the same atomic write), between two of this store's updates.
    await saveState(path, { ...(await loadState(path)), targetUrl: 'http://theirs' });
    await store.update((state) => ({ ...state, ingestCommand: 'mine too' }));
    expect(await loadState(path)).toMatchObject({ backupPath: '/mine', targetUrl: 'http://theirs', ingestCommand: 'mine too' });
    // Written in place (an editor), same size as before: still seen as changed.
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('mine too', 'edit too'));
    await store.update((state) => ({ ...state, backupPath: '/mine again' }));
    expect(await loadState(path)).toMatchObject({ ingestCommand: 'edit too', backupPath: '/mine again' });
  });
});
