/**
 * The source's credentials go only over TLS to a machine that is not this one, exactly as the
 * target's: a --source-token or a Cloud key over plain http to 0.0.0.0 is refused before a
 * single request, unless --insecure says the network is private.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('source credentials over plain http', () => {
  let server: Server;
  let port = 0;
  let dir = '';
  const seen: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-cleartext-'));
    // Logs what reaches it, as a listener on the path would.
    server = createServer((request, response) => {
      seen.push(`${request.url} ${request.headers.authorization ?? ''}${request.headers['x-chroma-token'] ?? ''}`);
      response.statusCode = 500;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('--source-url http://0.0.0.0 with --source-token: refused with the target\'s words; nothing sent', async () => {
    for (const command of ['export', 'copy']) {
      const target = command === 'copy' ? ['--url', 'http://127.0.0.1:9'] : [];
      const result = await runCli([command, '--source-url', `http://0.0.0.0:${port}`, '--source-token', 'S3cret-source', '--out', join(dir, `${command}.jsonl.gz`), '--all', ...target]);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`Refusing to send the token to http://0.0.0.0:${port} over plain http`);
      expect(result.stderr).toContain('--insecure');
      expect(result.stderr).not.toContain('S3cret-source');
    }
    expect(seen).toEqual([]);
  });

  it('CHROMA_CLOUD_HOST=http://0.0.0.0 with a Cloud key: refused the same way', async () => {
    const result = await runCli(['export', '--out', join(dir, 'cloud.jsonl.gz'), '--all'], { CHROMA_CLOUD_HOST: `http://0.0.0.0:${port}`, CHROMA_API_KEY: 'ck-secret', CHROMA_TENANT: 't', CHROMA_DATABASE: 'd' });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('over plain http');
    expect(seen).toEqual([]);
  });

  it('with --insecure the user\'s choice stands: the request goes out', async () => {
    const result = await runCli(['export', '--source-url', `http://0.0.0.0:${port}`, '--source-token', 'S3cret-source', '--insecure', '--out', join(dir, 'insecure.jsonl.gz'), '--all']);
    expect(result.stderr).not.toContain('over plain http');
    expect(seen.length).toBeGreaterThan(0);
  }, 120_000);
});
