#!/usr/bin/env node
import { main } from './main.js';

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
});
process.exitCode = code;
