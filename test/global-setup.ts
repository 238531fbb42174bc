import { ensureGlibcShim, glibcIsTooOld, runtimeGlibc } from '../src/core/server/glibc-shim.js';
import { ensureOldChroma } from './helpers/old-chroma.js';

/**
 * Fetch the glibc shim and the old Chroma server once, before any worker starts a Chroma
 * server, so parallel test files never race to download them.
 */
export default async function setup(): Promise<void> {
  if (glibcIsTooOld(runtimeGlibc())) await ensureGlibcShim();
  await ensureOldChroma();
}
