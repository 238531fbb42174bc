/**
 * The Chroma servers serving a data folder's copy under a folder (a run's TMPDIR, a folder's
 * parent), read from /proc: `… run --path DIR`. A test's own view, apart from the sweep's.
 */
import { readdir, readFile } from 'node:fs/promises';

export async function serversUnder(parent: string): Promise<Array<{ pid: number; path: string }>> {
  const found: Array<{ pid: number; path: string }> = [];
  for (const name of (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry))) {
    const args = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const at = args.indexOf('--path');
    if (at > 0 && args[at - 1] === 'run' && args[at + 1]?.startsWith(`${parent}/`)) found.push({ pid: Number(name), path: args[at + 1]! });
  }
  return found;
}

/** Waits up to `ms` for every such server to be gone; returns those still there. */
export async function serversGone(parent: string, ms: number): Promise<Array<{ pid: number; path: string }>> {
  const deadline = Date.now() + ms;
  let left = await serversUnder(parent);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = await serversUnder(parent);
  }
  return left;
}
