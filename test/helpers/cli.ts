import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A run that names no state file gets a throwaway one, in a temp folder removed when the run
 * ends. The CLI's own default (./.chroma-migrate/state.json) is the working folder, which in a
 * test run is the repository: a test that forgot --state used to leave a state file there.
 */
function throwawayState(): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cm-cli-state-'));
  return { path: join(dir, 'state.json'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the CLI in-process with captured output and no TTY, as CI and pipes see it. */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const scratch = args.includes('--state') || env.CHROMA_MIGRATE_STATE !== undefined ? null : throwawayState();
  const code = await main(args, {
    stdout,
    stderr,
    stdinIsTTY: false,
    env: { CHROMA_MIGRATE_STATE: scratch?.path, ...env },
    signal: signal ?? new AbortController().signal,
    program: { node: process.execPath, script: BUNDLE },
  }).finally(() => scratch?.remove());
  return { code, stdout: out, stderr: err };
}

/** The installed CLI's script: what `npm install` builds and a crontab line calls. */
export const BUNDLE = fileURLToPath(new URL('../../dist/bin/cli.mjs', import.meta.url));

export const CLI_ENTRY = fileURLToPath(new URL('../../src/bin/cli.ts', import.meta.url));

/** The real CLI as a child process (through tsx), for kill -9 and Ctrl-C tests. */
export function spawnCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): ChildProcess & { output: () => string } {
  const scratch = args.includes('--state') || options.env?.CHROMA_MIGRATE_STATE !== undefined ? null : throwawayState();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
    cwd: options.cwd,
    env: { ...process.env, CI: 'true', ...(scratch ? { CHROMA_MIGRATE_STATE: scratch.path } : {}), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (scratch) child.once('exit', () => scratch.remove());
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
