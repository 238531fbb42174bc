import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Ink writes a bare "\n" frame on unmount under CI=true; keep frames readable in tests.
    env: { CI: 'false', FORCE_COLOR: '0' },
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one machine with real Chroma servers: keep parallelism modest.
    maxWorkers: 2,
  },
});
