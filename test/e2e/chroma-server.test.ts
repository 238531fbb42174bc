/**
 * The server chroma-migrate starts (serve, the wizard's local server, every test) writes its log
 * to a file of its own. It logs every request: through a pipe to us, the server stalled whenever
 * our event loop was busy (a blocked parent stopped an export after a few pages, found by the
 * benchmark). With the log file as its stdout, a parent that does not read cannot stall it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChromaServer } from '../../src/core/local-server/chroma-server.js';
import { runCli } from '../helpers/cli.js';

describe('the Chroma server chroma-migrate starts', () => {
  it('logs to its own file and keeps answering while our event loop is blocked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-server-'));
    const server = await startChromaServer({ path: join(dir, 'data') });
    try {
      // Block this process's event loop while a child makes 300 requests (each logged, ~100 KB).
      const script = `
        const url = ${JSON.stringify(`${server.url}/api/v2/tenants/default_tenant/databases/default_database/collections`)};
        (async () => { for (let i = 0; i < 300; i++) await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text(); console.log('ok'); })()
          .catch((error) => { console.log('failed: ' + error.message); process.exit(1); });`;
      const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
      expect(out.trim()).toBe('ok');
      expect(readFileSync(server.logFile, 'utf8')).toContain('/collections');
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('serve --stop stops a server left running, found by its data folder; then there is nothing to stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-stop-'));
    try {
      const server = await startChromaServer({ path: join(dir, 'data'), startTimeoutMs: 60_000 });
      expect(readFileSync(join(dir, 'data', 'chroma-server.pid'), 'utf8').trim()).toBe(String(server.pid));
      // Named through a symlink, it is still the same folder.
      await symlink(join(dir, 'data'), join(dir, 'link'));
      const stopped = await runCli(['serve', '--stop', '--path', join(dir, 'link')]);
      expect(stopped.code).toBe(0);
      expect(stopped.stderr).toContain(`✓ Stopped the Chroma server for ${join(dir, 'link')} (process ${server.pid}).`);
      await server.exited;
      expect(existsSync(join(dir, 'data', 'chroma-server.pid'))).toBe(false);

      const again = await runCli(['serve', '--stop', '--path', join(dir, 'data')]);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain('Nothing to stop');
      // A pid file left by a server that is gone (or a pid reused by another program) is never signalled.
      writeFileSync(join(dir, 'data', 'chroma-server.pid'), `${process.pid}\n`);
      const stale = await runCli(['serve', '--stop', '--path', join(dir, 'data')]);
      expect(stale.stderr).toContain(`process ${process.pid}`);
      expect(stale.stderr).toContain('is no longer the Chroma server');
      expect(existsSync(join(dir, 'data', 'chroma-server.pid'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
