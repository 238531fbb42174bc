import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CHROMA_IMAGE } from '../../src/core/deploy-guide.js';
import { runCli } from '../helpers/cli.js';

/** Server bindings version (npm) → the Chroma release (image tag) it was built from; see FACTS. */
const RELEASE_OF_BINDINGS: Record<string, string> = { '1.3.4': '1.5.9' };

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

  it('pins the image to the release of the server the tests run (bindings 1.3.4 = release 1.5.9)', () => {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('chromadb-js-bindings-linux-x64-gnu/package.json');
    const bindings = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    const release = RELEASE_OF_BINDINGS[bindings];
    expect(release, `bindings ${bindings}: find the Chroma release that ships them (rust/js_bindings/package.json at its tag) and pin that image`).toBeDefined();
    expect(CHROMA_IMAGE).toBe(`chromadb/chroma:${release}`);
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
