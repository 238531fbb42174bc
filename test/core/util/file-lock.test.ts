import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeTakeOver, lockFile } from '../../../src/core/util/file-lock.js';

describe('lockFile', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes pid, host and start time, and removes the lock on release', async () => {
    const file = join(dir, 'out.jsonl.gz.partial');
    const lock = await lockFile(file, { command: 'export' });
    const holder = JSON.parse(await readFile(`${file}.lock`, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), command: 'export' });
    expect(Number.isNaN(Date.parse(holder.startedAt))).toBe(false);
    await lock.release();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('a live holder stops a second taker at once, naming its pid, what it does and when it started', async () => {
    const file = join(dir, 'out.partial');
    // A live process that is not this one: the parent of this test's worker.
    await writeFile(`${file}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: new Date().toISOString(), command: 'copy' }));
    await expect(lockFile(file, { command: 'export' })).rejects.toMatchObject({
      code: 'LOCKED',
      message: expect.stringMatching(new RegExp(`out\\.partial is in use by chroma-migrate pid ${process.ppid} \\(copy\\), started \\d\\d:\\d\\d`)),
      fix: expect.stringContaining('remove the lock if that process is gone'),
    });
  });

  it('takes over a lock whose process is gone, and says whose it was', async () => {
    const file = join(dir, 'state.json');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(gone.stdout);
    await writeFile(`${file}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString(), command: 'export' }));
    const lock = await lockFile(file, { command: 'export' });
    expect(lock.tookOverFrom?.pid).toBe(pid);
    expect(describeTakeOver(file, lock.tookOverFrom!)).toContain(`from pid ${pid}`);
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('with waitMs, waits for a short holder to let go', async () => {
    const file = join(dir, 'state.json');
    const first = await lockFile(file, { command: 'a' });
    setTimeout(() => void first.release(), 200);
    const second = await lockFile(file, { command: 'b', waitMs: 10_000 });
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8')).command).toBe('b');
    await second.release();
  });
});

describe('lockFile and an unreadable lock', () => {
  it('an empty lock older than 10 s (a crash between creating and filling it) is taken over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-lock-empty-'));
    try {
      const file = join(dir, 'out.partial');
      await writeFile(`${file}.lock`, '');
      const old = new Date(Date.now() - 60_000);
      await utimes(`${file}.lock`, old, old);
      const lock = await lockFile(file, { command: 'export' });
      expect(JSON.parse(await readFile(`${file}.lock`, 'utf8')).pid).toBe(process.pid);
      await lock.release();
      // A fresh empty one is someone writing it: wait, then stop.
      await writeFile(`${file}.lock`, '');
      await expect(lockFile(file, { command: 'export' })).rejects.toMatchObject({ code: 'LOCKED' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
