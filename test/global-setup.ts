import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureGlibcShim, glibcIsTooOld, runtimeGlibc } from '../src/core/local-server/glibc-shim.js';

/** The CLI's default state folder in the repository: no test may create it (see helpers/cli.ts). */
const REPO_STATE = fileURLToPath(new URL('../.chroma-migrate', import.meta.url));

/**
 * Fetch the glibc shim once, before any worker starts a Chroma server, so parallel test files
 * never race to download it (the old server is installed by the first test that asks for it,
 * helpers/old-chroma.ts). Afterwards, fail the run if a
 * test left migration state in the repository: a fresh clone's `npm test` must leave
 * `git status` clean.
 */
export default async function setup(): Promise<() => void> {
  const before = existsSync(REPO_STATE);
  if (glibcIsTooOld(runtimeGlibc())) await ensureGlibcShim();
  return () => {
    if (!before && existsSync(REPO_STATE)) {
      throw new Error(`A test wrote ${REPO_STATE}: pass --state or CHROMA_MIGRATE_STATE (a temp path) to the CLI it runs.`);
    }
  };
}
