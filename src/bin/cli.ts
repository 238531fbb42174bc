#!/usr/bin/env node
import { realpathSync } from 'node:fs';
// React and Ink load their production builds (the development ones take ~0.4 s longer to load).
process.env.NODE_ENV ??= 'production';
const { main } = await import('../cli/main.js');

// Past a file-size limit (ulimit -f) the kernel sends SIGXFSZ; with signal-exit's handler (from
// write-file-atomic) as the only listener, the process re-raises it and dies mid-write. A
// listener of our own makes the write fail with EFBIG instead, which the writers explain.
process.on('SIGXFSZ', () => undefined);

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  // First Ctrl-C: stop at a safe point and save the checkpoint. Second: leave now.
  if (interrupts > 1) process.exit(130);
  process.stderr.write('\nStopping at a safe point… (Ctrl-C again to quit at once)\n');
  controller.abort(new Error('interrupted'));
});

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdinIsTTY: process.stdin.isTTY === true,
  env: process.env,
  signal: controller.signal,
  program: { node: process.execPath, script: realpathSync(process.argv[1] ?? '.') },
});
process.exitCode = code;
