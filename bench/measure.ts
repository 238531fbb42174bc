import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildReport, ChildSpec } from './child.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Runs bench/child.ts through tsx (as `npm run bench` itself runs) and returns its report. */
export function runChild(mode: 'import' | 'export' | 'idle', spec: Partial<ChildSpec> = {}): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, JSON.stringify(spec)], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) return resolve(JSON.parse(line) as ChildReport);
      reject(new Error(`bench child (${mode}) exited with ${code}: ${err.trim().slice(-2000)}`));
    });
  });
}
