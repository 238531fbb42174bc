import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/core/util/errors.js';
import { assertUnchanged, assertWritable, readEnvBytes, readEnvFile, writeEnvFile } from '../../../src/core/env-file/file.js';
import { backupPath, saveBackup } from '../../../src/core/env-file/backups.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'env-file-'));
});

afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const ioError = (code = 'IO') => expect.objectContaining({ name: 'MigrateError', code });

describe('reading and writing the .env file', () => {
  it('reads a missing file as empty, to be created with mode 0600', async () => {
    expect(await readEnvFile(join(dir, '.env'))).toMatchObject({ exists: false, text: '', mode: 0o600 });
  });

  it('refuses to edit a file that is not UTF-8 (rewriting it would change other bytes)', async () => {
    await writeFile(join(dir, '.env'), Buffer.from([0x41, 0x3d, 0xe9, 0x0a]));
    await expect(readEnvFile(join(dir, '.env'))).rejects.toEqual(ioError('BAD_INPUT'));
    expect((await readEnvBytes(join(dir, '.env'))).bytes).toHaveLength(4);
  });

  it('notices an edit made while the prompt was waiting', async () => {
    const path = join(dir, '.env');
    await writeFile(path, 'A=1\n');
    const file = await readEnvFile(path);
    await assertUnchanged(file);
    await writeFile(path, 'A=2\n');
    await expect(assertUnchanged(file)).rejects.toThrow(/changed while chroma-migrate was waiting/);
  });

  it('treats a file or folder without write bits as read-only, even for root', async () => {
    const path = join(dir, '.env');
    await writeFile(path, 'A=1\n');
    await assertWritable(path);
    await chmod(path, 0o444);
    await expect(assertWritable(path)).rejects.toEqual(ioError());
    await chmod(path, 0o644);
    await chmod(dir, 0o555);
    await expect(assertWritable(path)).rejects.toThrow(/folder .* is read-only/);
  });

  it('turns a failed atomic write into an IO error and leaves no temp file behind', async () => {
    const error = await writeEnvFile(join(dir, 'missing', '.env'), 'A=1\n', 0o600).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrateError);
    expect(error).toMatchObject({ code: 'IO', message: expect.stringContaining('the file on disk is unchanged') });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('backups', () => {
  it('are named by UTC time without colons, and never overwrite each other', async () => {
    const now = new Date('2026-11-25T10:49:07.531Z');
    expect(backupPath('/app/.env', now)).toBe('/app/.env.backup-2026-11-25T10-49-07Z');
    const envPath = join(dir, '.env');
    const first = await saveBackup(envPath, Buffer.from('one'), now);
    const second = await saveBackup(envPath, Buffer.from('two'), now);
    expect(second).toBe(`${first}-1`);
    expect(await readFile(first, 'utf8')).toBe('one');
    expect(await readFile(second, 'utf8')).toBe('two');
  });
});
