/**
 * `serve` owns its server: a folder already served is refused (naming the process and port, not
 * offering another port), and SIGTERM, SIGHUP or SIGINT to serve — a `timeout`, systemd, a
 * closed terminal, Ctrl-C — stop Chroma with it instead of leaving it running.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { BUNDLE } from '../helpers/cli.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function serve(dir: string, folder: string, port: number) {
  const child = spawn(process.execPath, [BUNDLE, 'serve', '--path', folder, '--port', String(port), '--state', join(dir, 'state.json')], { cwd: dir, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { child, output: () => output, code };
}

describe('serve owns its server', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-serve-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    it(`${signal} to serve stops its Chroma; a second serve on the folder meanwhile is refused, naming pid and port`, async () => {
      const folder = join(dir, `data-${signal}`);
      const port = await freePort();
      const first = serve(dir, folder, port);
      await waitFor(() => first.output().includes('Chroma is listening') || first.child.exitCode !== null);
      const chroma = Number((await readFile(join(folder, 'chroma-server.pid'), 'utf8')).trim());
      expect(alive(chroma)).toBe(true);

      const second = serve(dir, folder, await freePort());
      expect(await second.code, second.output()).toBe(1);
      expect(second.output()).toContain(`is already served by Chroma (process ${chroma}) on port ${port}`);
      expect(second.output()).toContain('serve --stop');
      expect(second.output()).not.toContain('Starting Chroma');
      expect(alive(chroma)).toBe(true);

      first.child.kill(signal);
      await first.code;
      expect(first.output()).toContain('Chroma stopped.');
      await waitFor(() => !alive(chroma), 30_000);
    }, 180_000);
  }

  it('`serve --stop` from another terminal ends the serve with 0 and says it was asked to stop, not that Chroma died', async () => {
    const folder = join(dir, 'data-stop');
    const first = serve(dir, folder, await freePort());
    await waitFor(() => first.output().includes('Chroma is listening') || first.child.exitCode !== null);
    const stop = spawnSync(process.execPath, [BUNDLE, 'serve', '--stop', '--path', folder], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(stop.status, stop.stdout + stop.stderr).toBe(0);
    expect(await first.code, first.output()).toBe(0);
    expect(first.output()).toContain('Chroma stopped (asked to from outside this terminal');
    expect(first.output()).not.toContain('exited by itself');
  }, 180_000);

  it('`timeout 5 chroma-migrate serve …` leaves no Chroma process behind', async () => {
    const folder = join(dir, 'data-timeout');
    const result = spawnSync('timeout', ['5', process.execPath, BUNDLE, 'serve', '--path', folder, '--port', String(await freePort()), '--state', join(dir, 'state.json')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(result.status).toBe(124);
    // Whether Chroma had answered within the 5 s or not, nothing of it may be left.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const left = spawnSync('pgrep', ['-f', `run --path ${folder}`], { encoding: 'utf8' });
    expect(left.stdout.trim(), result.stderr).toBe('');
  }, 180_000);
});
