/**
 * `serve` owns its server: a folder already served is refused (naming the process and port, not
 * offering another port), and SIGTERM, SIGHUP or SIGINT to serve — a `timeout`, systemd, a
 * closed terminal, Ctrl-C — stop Chroma with it instead of leaving it running.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/core/local-server/chroma-server.js';
import { BUNDLE } from '../helpers/cli.js';
import { processAlive } from '../../src/core/util/file-lock.js';


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
      expect(processAlive(chroma)).toBe(true);

      const second = serve(dir, folder, await freePort());
      expect(await second.code, second.output()).toBe(1);
      expect(second.output()).toContain(`is already served by Chroma (process ${chroma}) on port ${port}`);
      expect(second.output()).toContain('serve --stop');
      expect(second.output()).not.toContain('Starting Chroma');
      expect(processAlive(chroma)).toBe(true);

      first.child.kill(signal);
      await first.code;
      expect(first.output()).toContain('Chroma stopped.');
      await waitFor(() => !processAlive(chroma), 30_000);
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

  it('two serve on one folder started at the same moment: one serves, the other is refused naming the process', async () => {
    const folder = join(dir, 'data-race');
    const both = [serve(dir, folder, await freePort()), serve(dir, folder, await freePort())];
    await waitFor(() => both.some((run) => run.output().includes('Chroma is listening')) && both.some((run) => run.child.exitCode !== null) || both.every((run) => run.output().includes('Chroma is listening')));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const serving = both.filter((run) => run.output().includes('Chroma is listening'));
    const refused = both.filter((run) => run.child.exitCode === 1);
    for (const run of serving) run.child.kill('SIGINT');
    await Promise.all(both.map((run) => run.code));
    expect(serving, both.map((run) => run.output()).join('\n---\n')).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.output()).toMatch(new RegExp(`already (being )?served.*\\(process (${serving[0]!.child.pid}|\\d+)\\)`));
    expect(refused[0]!.output()).toContain('serve --stop');
  }, 180_000);

  it('a start claim left by a serve killed with -9 (its Chroma gone too) does not stop the next serve', async () => {
    const folder = join(dir, 'data-stale');
    await mkdir(folder, { recursive: true });
    // A pid that lived and is gone: this test's own short child.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    await writeFile(join(folder, 'chroma-server.lock'), JSON.stringify({ pid: Number(dead), host: hostname(), startedAt: new Date().toISOString(), command: 'serve' }));
    const next = serve(dir, folder, await freePort());
    await waitFor(() => next.output().includes('Chroma is listening') || next.child.exitCode !== null);
    expect(next.output()).toContain('Chroma is listening');
    next.child.kill('SIGINT');
    expect(await next.code).toBe(0);
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
