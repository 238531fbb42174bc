import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHROMA_IMAGE } from '../../../src/core/deploy/guide.js';
import { runCli } from '../../helpers/cli.js';

/** Server bindings version (npm) → the Chroma release (image tag) it was built from: Chroma release commit "CLI 1.4.4 Python 1.5.9 JS 3.4.5". */
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

  it('Docker and a VM get compose.yaml and a Caddyfile ("other" still means a VM); a wrong host is a usage error', async () => {
    const docker = await runCli(['deploy-guide', '--host', 'docker']);
    expect(docker.stdout).toContain('compose.yaml');
    expect(docker.stdout).toContain('docker compose up -d');
    const other = JSON.parse((await runCli(['deploy-guide', '--host', 'other', '--json'])).stdout) as { host: string; files: Array<{ name: string; text: string }> };
    expect(other.host).toBe('vm');
    expect(other.files.map((file) => file.name)).toEqual(['compose.yaml', 'Caddyfile']);
    expect((await runCli(['deploy-guide', '--host', 'heroku'])).code).toBe(2);
  });

  it('the files pin the tested image, keep data on /data, publish only the proxy, and hold no token', async () => {
    const guide = JSON.parse((await runCli(['deploy-guide', '--host', 'docker', '--json'])).stdout) as { token: string; files: Array<{ name: string; text: string }> };
    const compose = guide.files.find((file) => file.name === 'compose.yaml')?.text ?? '';
    expect(compose).toContain(`image: ${CHROMA_IMAGE}`);
    expect(compose).toContain('chroma-data:/data');
    expect(compose).not.toContain('8000:8000');
    for (const file of guide.files) expect(file.text).not.toContain(guide.token);
    // Parsing is proven by the real Caddy (test/e2e/caddy-proxy.test.ts); here, where the token is read.
    for (const file of guide.files.filter((candidate) => candidate.name === 'Caddyfile')) {
      expect(file.text).toContain('{env.CHROMA_AUTH_TOKEN}');
      expect(file.text).not.toContain('{$CHROMA_AUTH_TOKEN');
    }
  });

  it('--write puts the files in a folder and keeps a different earlier version as a backup', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-guide-'));
    try {
      await writeFile(join(dir, 'Caddyfile'), 'my own edit\n');
      const result = await runCli(['deploy-guide', '--host', 'railway', '--write', dir]);
      expect(result.code).toBe(0);
      expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toContain('FROM caddy:2');
      expect(await readFile(join(dir, 'Caddyfile'), 'utf8')).toContain('reverse_proxy {env.CHROMA_UPSTREAM}');
      const backups = (await readdir(dir)).filter((name) => name.startsWith('Caddyfile.backup-'));
      expect(backups).toHaveLength(1);
      expect(await readFile(join(dir, backups[0] ?? ''), 'utf8')).toBe('my own edit\n');
      expect(result.stdout).toContain('your version kept as');
      const again = await runCli(['deploy-guide', '--host', 'railway', '--write', dir]);
      expect(again.stdout).toContain('already up to date');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
