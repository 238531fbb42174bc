/**
 * Installed like a product: `npm pack` from a clean copy of the sources (what git tracks, no
 * dist/) builds and packs a tarball; `npm install -g` of that tarball into a fresh prefix gives a
 * `chroma-migrate` that prints its help and runs the bundled Chroma server from another folder,
 * with nothing of the clone on its path. The registry comes in only through npm's cache or
 * network, as on a user's machine.
 */
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/core/local-server/chroma-server.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);

/**
 * The environment of a user's shell: none of the npm_* variables `npm test` sets (a
 * npm_config_prefix would redirect the install), and no node_modules/.bin of this clone on PATH.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.toLowerCase().startsWith('npm_') && !['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'].includes(key.toLowerCase())) continue;
    if (key === 'NODE_OPTIONS' || key === 'NODE_PATH' || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  const path = (process.env.PATH ?? '').split(delimiter).filter((entry) => !entry.includes('node_modules'));
  env.PATH = [dirname(process.execPath), ...path].join(delimiter);
  env.CI = 'true';
  return env;
}

/** The files a fresh clone has: tracked ones and new ones git does not ignore (no dist/, no node_modules/). */
async function copyOfClone(into: string): Promise<void> {
  const { stdout } = await exec('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    const from = join(REPO, file);
    // A file deleted in the working tree but still tracked is not part of the clone being tested.
    if (!(await stat(from).catch(() => null))?.isFile()) continue;
    await mkdir(dirname(join(into, file)), { recursive: true });
    await cp(from, join(into, file));
  }
  // The build tools of `npm install`, without running it again (the dependencies are the same).
  await symlink(join(REPO, 'node_modules'), join(into, 'node_modules'), 'dir');
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

describe('npm pack, then npm install -g of the tarball in a fresh prefix', () => {
  let work = '';
  let tarball = '';
  let prefix = '';
  let elsewhere = '';
  let clone = '';
  const bin = () => join(prefix, 'bin', 'chroma-migrate');

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cm-pack-'));
    clone = join(work, 'clone');
    const packs = join(work, 'packs');
    prefix = join(work, 'prefix');
    elsewhere = join(work, 'elsewhere');
    await Promise.all([mkdir(clone), mkdir(packs), mkdir(prefix), mkdir(elsewhere)]);
    await copyOfClone(clone);

    let started = Date.now();
    // npm runs `prepare` (the build) before packing: the tarball must not depend on a dist/ left behind.
    await exec('npm', ['pack', '--pack-destination', packs], { cwd: clone, env: userEnv(), maxBuffer: 64 * 1024 * 1024 });
    const [name] = (await readdir(packs)).filter((file) => file.endsWith('.tgz'));
    if (!name) throw new Error(`npm pack wrote no tarball into ${packs}`);
    tarball = join(packs, name);
    console.log(`npm pack (with the build): ${seconds(started)}, ${name} is ${((await stat(tarball)).size / 1024 / 1024).toFixed(2)} MB`);

    started = Date.now();
    await exec('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: elsewhere, env: userEnv(), maxBuffer: 64 * 1024 * 1024 });
    console.log(`npm install -g of the tarball: ${seconds(started)}`);
  }, 900_000);

  afterAll(async () => {
    // A serve that outlived a failed assertion: stop it and its Chroma (by its own pid file).
    if (prefix) await exec(bin(), ['serve', '--stop', '--path', join(elsewhere, 'data')], { cwd: elsewhere, env: userEnv() }).catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('holds the built CLI, the library, README and LICENSE, and none of src/, test/ or bench/', async () => {
    const { stdout } = await exec('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
    const files = stdout.split('\n').filter(Boolean).map((file) => file.replace(/^package\//, ''));
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'npm-shrinkwrap.json', 'dist/bin/cli.mjs', 'dist/index.js', 'dist/index.d.ts']) expect(files).toContain(needed);
    expect(files.filter((file) => /^(src|test|bench|scripts)\//.test(file))).toEqual([]);
    // The shrinkwrap exists only while packing: the clone keeps its package-lock.json alone.
    expect(await stat(join(clone, 'npm-shrinkwrap.json')).catch(() => null)).toBeNull();
    const manifest = JSON.parse(await readFile(join(prefix, 'lib', 'node_modules', 'chroma-migrate', 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['repository', 'keywords', 'engines', 'files', 'license', 'bin']) expect(manifest[field], field).toBeDefined();
  });

  it('installs the dependencies the lockfile pins (the server the tests ran), and no development tools', async () => {
    const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const installed = join(prefix, 'lib', 'node_modules', 'chroma-migrate', 'node_modules');
    for (const name of ['chromadb', 'chromadb-js-bindings-linux-x64-gnu', 'ink', 'react']) {
      const wanted = lock.packages[`node_modules/${name}`]?.version;
      const found = await readFile(join(installed, name, 'package.json'), 'utf8').then((text) => (JSON.parse(text) as { version: string }).version, () => null);
      // The bindings exist only where npm has a build for the machine (x86-64 Linux here).
      if (name.startsWith('chromadb-js-bindings') && found === null && !(process.platform === 'linux' && process.arch === 'x64')) continue;
      expect(found, name).toBe(wanted);
    }
    for (const tool of ['vitest', 'typescript', 'esbuild', 'eslint']) expect(await stat(join(installed, tool)).catch(() => null), tool).toBeNull();
  });

  it('`chroma-migrate --help` works from another folder', async () => {
    const { stdout } = await exec(bin(), ['--help'], { cwd: elsewhere, env: userEnv() });
    expect(stdout).toContain('chroma-migrate import');
  }, 120_000);

  it('`chroma-migrate serve` runs the bundled Chroma server, and Ctrl-C stops it with exit 0', async () => {
    const port = await freePort();
    const child = spawn(bin(), ['serve', '--path', join(elsewhere, 'data'), '--port', String(port)], { cwd: elsewhere, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));

    // No deadline of its own: the test's timeout bounds the wait (a first start may fetch glibc).
    while (!output.includes('Chroma is listening') && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(output).toContain(`Chroma is listening on http://localhost:${port}`);
    const heartbeat = await fetch(`http://localhost:${port}/api/v2/heartbeat`);
    expect(heartbeat.status).toBe(200);
    expect(await heartbeat.json()).toHaveProperty(['nanosecond heartbeat']);
    // The server is the one installed with the package, not this clone's.
    const chroma = (await readFile(join(elsewhere, 'data', 'chroma-server.pid'), 'utf8')).trim();
    const commandLine = await readFile(`/proc/${chroma}/cmdline`, 'utf8').catch(() => null);
    if (commandLine !== null) expect(commandLine).toContain(join(prefix, 'lib', 'node_modules', 'chroma-migrate', 'node_modules', 'chromadb'));

    child.kill('SIGINT');
    expect(await code, output).toBe(0);
    expect(output).toContain('Chroma stopped.');
  }, 300_000);
});

describe('the README a user reads first', () => {
  it('is at most 250 lines, and its install section names the clone and the tarball installs tested above', async () => {
    const readme = await readFile(join(REPO, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    const install = readme.slice(readme.indexOf('## Install'), readme.indexOf('\n## ', readme.indexOf('## Install') + 1));
    for (const step of ['npm install -g --ignore-scripts .', 'npm pack', 'npm install -g ./chroma-migrate-<version>.tgz', '--prefix']) expect(install).toContain(step);
  });
});
