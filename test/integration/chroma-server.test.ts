/**
 * The server chroma-migrate starts (serve, the wizard's local server, every test) writes its log
 * to a file of its own. It logs every request: through a pipe to us, the server stalled whenever
 * our event loop was busy (a blocked parent stopped an export after a few pages, found by the
 * benchmark). With the log file as its stdout, a parent that does not read cannot stall it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChromaServer } from '../../src/core/server/chroma-server.js';

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
});
