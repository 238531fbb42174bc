import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { MigrateError } from '../util/errors.js';
import { lockFile, lockHolderOf, type FileLock } from '../util/file-lock.js';
import { shellWord } from '../util/format.js';
import { startWatchdog } from '../util/watchdog.js';
import { ensureGlibcShim, glibcIsTooOld, runtimeGlibc } from './glibc-shim.js';
import { removePidFile, servedBy, writePidFile } from './pid-file.js';

export interface StartServerOptions {
  /** Folder the server persists to; created when missing. */
  path: string;
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Where the server's own log goes; defaults to <path>/chroma-server.log. */
  logFile?: string;
  /** How long to wait for the first heartbeat. */
  startTimeoutMs?: number;
  /** Another chromadb package's CLI (an older server release); default: the bundled one. */
  cliPath?: string;
  /**
   * In a session of its own: Ctrl-C at the terminal or closing it does not reach the server,
   * so it can outlive this process (see keepRunning). Its owner still stops it otherwise.
   */
  detached?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  path: string;
  logFile: string;
  pid: number;
  /** Resolves with the exit code when the server process ends, whoever ended it. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
  /** Lets this process exit while the server runs on (stop it later with `serve --stop --path DIR`). */
  keepRunning(): void;
}

/** The npm CLI that ships the Rust server: node_modules/chromadb/dist/cli.mjs. */
function chromaCliPath(): string {
  const require = createRequire(import.meta.url);
  // The package exports no subpaths; its entry lives in dist/ (ESM) or dist/cjs/ (CJS).
  const entry = require.resolve('chromadb');
  const dist = entry.slice(0, entry.lastIndexOf(`${sep}dist${sep}`) + `${sep}dist`.length);
  return join(dist, 'cli.mjs');
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

export async function portIsTaken(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const probe = createServer();
    probe.once('error', () => answer(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => answer(false)));
  });
}

async function commandLine(cli: string, args: string[]): Promise<{ file: string; args: string[] }> {
  if (!glibcIsTooOld(runtimeGlibc())) return { file: process.execPath, args: [cli, ...args] };
  const shim = await ensureGlibcShim();
  return {
    file: shim.loader,
    args: ['--library-path', shim.libraryPath, process.execPath, cli, ...args],
  };
}

/**
 * One server per data folder: a second one would write the same files, and its pid file would
 * hide the first from `serve --stop`.
 */
export async function refuseServedFolder(folder: string): Promise<void> {
  const serving = await servedBy(folder);
  if (serving === null) return;
  const where = serving.port === null ? '' : ` on port ${serving.port} (http://localhost:${serving.port})`;
  throw new MigrateError(
    'SERVER_START',
    `${resolve(folder)} is already served by Chroma (process ${serving.pid})${where}.`,
    `Use that server, or stop it first: chroma-migrate serve --stop --path ${shellWord(folder)}`,
  );
}

export async function startChromaServer(options: StartServerOptions): Promise<RunningServer> {
  const path = resolve(options.path);
  await refuseServedFolder(path);
  await mkdir(path, { recursive: true });
  const claim = await claimFolder(path);
  try {
    // Again, holding the claim: a server another run started and left running has its pid file by now.
    await refuseServedFolder(path);
    return await startClaimed(path, options, claim);
  } catch (error) {
    await claim.release();
    throw error;
  }
}

async function startClaimed(path: string, options: StartServerOptions, claim: FileLock): Promise<RunningServer> {
  const port = options.port && options.port > 0 ? options.port : await freePort();
  if (await portIsTaken(port)) {
    throw new MigrateError(
      'SERVER_START',
      `Port ${port} is already in use.`,
      `Stop whatever listens there, or pick another port with --port.`,
    );
  }
  const logFile = options.logFile ?? join(path, 'chroma-server.log');
  const { file, args } = await commandLine(options.cliPath ?? chromaCliPath(), ['run', '--path', path, '--port', String(port)]);
  // The server writes its log straight to the file, not through a pipe to us: it logs every
  // request, and a pipe fills up (and stalls the server) whenever our event loop is busy.
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, args, { stdio: ['ignore', logFd, logFd], detached: options.detached === true });
  } finally {
    closeSync(logFd); // the child has its own copy
  }
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => done(code));
    child.once('error', () => done(null));
  });
  const pid = child.pid ?? -1;
  // A server of ours must not outlive us unseen, serving on, holding its port (a folder's copy
  // deleted under it): unless it is meant to (detached), it ends with this process, kill -9 too.
  const stopWatchdog = options.detached === true || pid < 0 ? () => undefined : startWatchdog({ pid, signal: 'INT' });
  // Written at once, not when it answers: a run killed while it starts leaves a server the next
  // run (or `serve --stop --path DIR`) can still find.
  if (pid > 0) await writePidFile(path, pid).catch(() => undefined);
  void exited.then(async () => {
    stopWatchdog();
    await removePidFile(path, pid).catch(() => undefined);
  });

  const url = `http://localhost:${port}`;
  try {
    await waitForHeartbeat(url, exited, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await stopProcess(child, exited);
    throw new MigrateError(
      'SERVER_START',
      `The Chroma server did not start: ${(error as Error).message}`,
      `See its log at ${logFile}.`,
      { cause: error },
    );
  }
  void exited.then(() => claim.release());
  return {
    url,
    port,
    path,
    logFile,
    pid,
    exited,
    stop: async () => {
      await stopProcess(child, exited);
      // Released before stop returns, so the same folder can be served again at once.
      await claim.release();
    },
    keepRunning: () => {
      stopWatchdog();
      child.unref();
    },
  };
}

/**
 * One start at a time per data folder: DIR/chroma-server.lock, created exclusively (of two starts
 * at the same moment exactly one creates it), held while the server runs. The check of the pid
 * file alone let two servers start together on one chroma.sqlite3. A lock whose process is gone
 * (kill -9) is taken over; a server left running past its starter still has its pid file.
 */
async function claimFolder(path: string): Promise<FileLock> {
  try {
    return await lockFile(join(path, 'chroma-server'), { command: 'serve' });
  } catch (error) {
    if (!(error instanceof MigrateError) || error.code !== 'LOCKED') throw error;
    const holder = await lockHolderOf(join(path, 'chroma-server'));
    const who = holder ? ` (process ${holder.pid})` : '';
    throw new MigrateError(
      'SERVER_START',
      `${path} is already being served: another chroma-migrate${who} started Chroma on it.`,
      `Use that server, or stop it first: chroma-migrate serve --stop --path ${shellWord(path)}`,
    );
  }
}

async function waitForHeartbeat(url: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  let dead: number | null | undefined;
  void exited.then((code) => (dead = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dead !== undefined) throw new Error(`it exited with code ${dead}`);
    try {
      const response = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 150));
  }
  throw new Error(`no heartbeat within ${Math.round(timeoutMs / 1000)} s`);
}

/**
 * SIGINT, never SIGTERM: under the borrowed loader the server logs "Received SIGTERM" and then
 * spins forever. SIGKILL only as the last resort so a teardown never hangs.
 */
async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
