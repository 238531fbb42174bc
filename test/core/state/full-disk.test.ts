/**
 * A full disk while the state file is written: explained (and the old state kept), never
 * "Unexpected error … This is a bug". A real full file system: a 64 KiB tmpfs, which needs
 * root and a mount namespace that allows it; elsewhere the test is skipped and says why.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StateStore } from '../../../src/core/state/store.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'cm-full-disk-'));
const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]).status === 0;
if (!mounted) console.warn('Skipping the full-disk test: mounting a small tmpfs needs root.');

describe.skipIf(!mounted)('the state file on a full disk', () => {
  afterAll(() => {
    spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('says the disk is full and that the same command continues; the saved state is untouched', async () => {
    const path = join(mountPoint, 'state.json');
    const store = await StateStore.open(path);
    await store.update((state) => ({ ...state, backupPath: '/first' }));
    const before = readFileSync(path, 'utf8');
    // Fill what is left.
    try {
      writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(128 * 1024));
    } catch {
      // ENOSPC: full, as wanted.
    }
    const error = await store.update((state) => ({ ...state, backupPath: `/second${'x'.repeat(8_000)}` })).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'IO', message: expect.stringContaining('the disk is full'), fix: expect.stringContaining('run the same command again') });
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
