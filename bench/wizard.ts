/**
 * Time from starting the CLI (no arguments, in a pseudo-terminal made by script(1))
 * to the wizard's first frame on screen. Runs in an empty temp folder with no CHROMA_*
 * variables, so the wizard has nothing to connect to; the process group is ended right after.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `npx chroma-migrate` runs: the esbuild bundle (scripts/bundle.mjs). */
export const BUNDLED_CLI = fileURLToPath(new URL('../dist/bin/cli.mjs', import.meta.url));
/** tsc's module-per-file output: the baseline the bundle is measured against. */
export const UNBUNDLED_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface WizardTiming {
  skipped?: string;
  /** Milliseconds to the first frame, one per attempt (the first is a cold start). */
  firstFrameMs?: number[];
  medianMs?: number;
}

export async function measureWizard(root: string, attempts = 5, cli = BUNDLED_CLI): Promise<WizardTiming> {
  if (!existsSync(cli)) return { skipped: `${cli} does not exist (npm run build)` };
  if (spawnSync('script', ['--version']).status !== 0) return { skipped: 'script(1) is not installed, so no pseudo-terminal' };
  const firstFrameMs: number[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    const cwd = await mkdtemp(join(root, 'wizard-'));
    firstFrameMs.push(await firstFrame(cwd, cli));
  }
  const sorted = [...firstFrameMs].sort((a, b) => a - b);
  return { firstFrameMs, medianMs: sorted[Math.floor(sorted.length / 2)] };
}

function firstFrame(cwd: string, cli: string): Promise<number> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/^CHROMA_/.test(key)) env[key] = value;
  Object.assign(env, { TERM: 'xterm-256color', CI: 'false', COLUMNS: '100', LINES: '40' });
  const started = performance.now();
  const child = spawn('script', ['-qfc', `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)}`, '/dev/null'], {
    cwd,
    env,
    detached: true, // its own process group, so script, node and anything they start end together
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let screen = '';
    const end = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      end();
      reject(new Error(`no wizard frame within 15 s; the screen showed: ${JSON.stringify(screen.slice(0, 300))}`));
    }, 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      // The checklist is the wizard's first frame; escape codes alone are not a frame.
      if (/Migration Status/.test(screen)) {
        const ms = performance.now() - started;
        clearTimeout(timer);
        end();
        resolve(ms);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!/Migration Status/.test(screen)) reject(new Error(`the CLI exited (${code}) without a wizard frame: ${JSON.stringify(screen.slice(0, 300))}`));
    });
  });
}
