/**
 * The file `npx chroma-migrate` runs is the esbuild bundle (scripts/bundle.mjs, built by
 * `npm install` through `prepare`), not the sources the other tests run through tsx: check that
 * it starts, that subcommands work from it, and that a pipe gets the plain message.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/bin/cli.mjs', import.meta.url));
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { cwd: mkdtempSync(join(tmpdir(), 'bundle-')), env: { ...process.env, CI: 'true' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

describe('the bundled CLI (dist/bin/cli.mjs)', () => {
  it('exists: npm install builds it', () => {
    expect(existsSync(BIN), 'run npm run build').toBe(true);
  });

  it('prints its help and each command\'s help', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('chroma-migrate import');
    const deploy = await run(['deploy-guide', '--help']);
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toMatch(/railway/i);
  });

  it('runs a command (deploy-guide for Docker)', async () => {
    const guide = await run(['deploy-guide', '--host', 'docker']);
    expect(guide.code).toBe(0);
    expect(guide.stdout).toContain('docker compose up -d');
  });

  it('writes files atomically (write-file-atomic inside the bundle): env set to a new .env', async () => {
    // Also the case Node 20 itself broke for --env-file (nodejs/node#54232): a file not there yet.
    const dir = mkdtempSync(join(tmpdir(), 'bundle-env-'));
    const envFile = join(dir, '.env');
    const set = await run(['env', 'set', '--url', 'https://chroma.example.com', '--dotenv', envFile, '--yes']);
    expect(set.stderr + set.stdout).not.toMatch(/\n\s+at /);
    expect(set.code).toBe(0);
    expect(readFileSync(envFile, 'utf8')).toContain('CHROMA_HOST=chroma.example.com');
  });

  it('without a terminal, says the wizard needs one and exits 2', async () => {
    const bare = await run([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('needs a terminal');
  });
});
