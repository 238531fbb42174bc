import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real Caddy (Debian 12's 2.6.2 in CI, which .ci/run installs). */
export const caddyVersion: string | null = (() => {
  const result = spawnSync('caddy', ['version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
})();

/**
 * Locally, a machine without Caddy skips these tests and says why. CI sets
 * CHROMA_MIGRATE_REQUIRE_CADDY (vitest's config hides CI itself from the tests), so there a
 * missing Caddy fails instead of passing silently.
 */
export const caddyRequired = process.env.CHROMA_MIGRATE_REQUIRE_CADDY === '1';
export const skipWithoutCaddy = caddyVersion === null && !caddyRequired;
if (skipWithoutCaddy) {
  console.warn('Skipping the Caddy tests: `caddy` is not installed here (apt-get install -y caddy; .ci/run installs it).');
}

export interface RunningCaddy {
  /** Caddy's HOME and XDG folders: its autosave.json and its CA land here, not in the user's. */
  dir: string;
  /** Caddy's own CA root, when it made one (sites on localhost or an IP). */
  rootCert: string;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * `caddy run --config FILE --adapter caddyfile`, exactly as a user runs the written file, with
 * `env` as its environment and its state folders in a temp dir. Resolves once `ready` passes.
 */
export async function startCaddy(config: string, env: Record<string, string>, ready: { http: string } | { tlsPort: number; servername: string }): Promise<RunningCaddy> {
  const dir = await mkdtemp(join(tmpdir(), 'cm-caddy-'));
  const child = spawn('caddy', ['run', '--config', config, '--adapter', 'caddyfile'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const rootCert = join(dir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  // Generous: the machine is shared and loaded; Caddy itself starts in well under a second.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`caddy exited (${child.exitCode}):\n${output}`);
    if ('http' in ready ? await answers(ready.http) : existsSync(rootCert) && (await handshakes(ready.tlsPort, ready.servername, rootCert))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`caddy did not become ready within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { dir, rootCert, output: () => output, stop: async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  } };
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

async function handshakes(port: number, servername: string, caFile: string): Promise<boolean> {
  const ca = await readFile(caFile);
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, ca });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(socket.authorized);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Every file under a folder, for "the token is nowhere on disk". */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
