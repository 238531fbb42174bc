import { defineConfig } from 'vitest/config';

/**
 * The long crash loop (npm run test:chaos): kill -9 at seeded random points of an import and of
 * an export, each followed by a plain re-run. Files are named *.chaos.ts so the default suite
 * (test/**\/*.test.ts) never picks them up.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    env: { CI: 'false', FORCE_COLOR: '0' },
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
