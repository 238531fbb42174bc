import { ensureGlibcShim, glibcIsTooOld, runtimeGlibc } from '../src/core/server/glibc-shim.js';

/**
 * Fetch the glibc shim once, before any worker starts a Chroma server, so parallel test files
 * never race to download it.
 */
export default async function setup(): Promise<void> {
  if (glibcIsTooOld(runtimeGlibc())) await ensureGlibcShim();
}
