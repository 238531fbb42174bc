import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('deploy-guide', () => {
  it('Railway: pinned image, volume at /data, HTTPS 443, a proxy because 1.x ignores its auth settings', async () => {
    const result = await runCli(['deploy-guide']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/chromadb\/chroma:\d+\.\d+\.\d+/);
    expect(result.stdout).toContain('mounted at /data');
    expect(result.stdout).toContain('/chroma/chroma');
    expect(result.stdout).toContain('CHROMA_PORT=443  CHROMA_SSL=true');
    expect(result.stdout).toContain('silently ignored');
    expect(result.stdout).toContain('$10–13');
    expect(result.stdout).toContain('$29');
  });

  it('generates a fresh URL-safe token of at least 32 random bytes each time', async () => {
    const first = JSON.parse((await runCli(['deploy-guide', '--json'])).stdout) as { token: string };
    const second = JSON.parse((await runCli(['deploy-guide', '--json'])).stdout) as { token: string };
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(Buffer.from(first.token, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(first.token).not.toBe(second.token);
  });

  it('Docker gets a docker run line with the volume; a wrong host is a usage error', async () => {
    expect((await runCli(['deploy-guide', '--host', 'docker'])).stdout).toMatch(/docker run .* -v \.\/chroma-data:\/data chromadb\/chroma/);
    expect((await runCli(['deploy-guide', '--host', 'heroku'])).code).toBe(2);
  });
});
