import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepTokenInEnv, waitingToken } from '../../../src/core/deploy/keep-token.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-keep-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the deploy token kept in .env', () => {
  it('is added beside the Cloud keys, once; a file that is not there is created', async () => {
    const path = join(dir, 'cloud.env');
    await writeFile(path, 'CHROMA_API_KEY=ck-1\n');
    expect(await keepTokenInEnv(path, 'T1')).toMatchObject({ kept: true, written: true });
    expect(await readFile(path, 'utf8')).toContain('CHROMA_API_KEY=ck-1\n');
    expect(await keepTokenInEnv(path, 'T1')).toEqual({ kept: true, written: false, backup: null });
    const fresh = join(dir, 'none.env');
    expect(await keepTokenInEnv(fresh, 'T2')).toEqual({ kept: true, written: true, backup: null });
    expect(await readFile(fresh, 'utf8')).toContain('CHROMA_AUTH_TOKEN=T2');
  });

  it('is not written where the app would send it today, nor over another token', async () => {
    const hosted = join(dir, 'hosted.env');
    await writeFile(hosted, 'CHROMA_HOST=localhost\n');
    expect(await keepTokenInEnv(hosted, 'T')).toMatchObject({ kept: false, why: expect.stringContaining('CHROMA_HOST') });
    expect(await readFile(hosted, 'utf8')).toBe('CHROMA_HOST=localhost\n');
    const other = join(dir, 'other.env');
    await writeFile(other, 'CHROMA_AUTH_TOKEN=mine\n');
    expect(await keepTokenInEnv(other, 'T')).toMatchObject({ kept: false, why: expect.stringContaining('another CHROMA_AUTH_TOKEN') });
    expect(await readFile(other, 'utf8')).toBe('CHROMA_AUTH_TOKEN=mine\n');
  });

  it('waits in .env only while no CHROMA_HOST names a server', () => {
    expect(waitingToken({ CHROMA_AUTH_TOKEN: 'T' })).toBe('T');
    expect(waitingToken({ CHROMA_AUTH_TOKEN: 'T', CHROMA_HOST: 'h' })).toBeUndefined();
    expect(waitingToken({ CHROMA_AUTH_TOKEN: '' })).toBeUndefined();
  });
});
