#!/usr/bin/env node
import { setMaxListeners } from 'node:events';
import { realpathSync } from 'node:fs';
import type { CommandIo } from '../cli/io.js';
// React and Ink load their production builds (the development ones take ~0.4 s longer to load).
process.env.NODE_ENV ??= 'production';
// The bundle is minified; its source maps turn a real bug's stack (DEBUG=chroma-migrate) back
// into src/ file names and lines. Set before the bundle's chunks load, which the maps belong to.
process.setSourceMapsEnabled(true);

// An error nothing awaited: Node's own report prints the throwing line of the minified bundle
// (tens of kilobytes) and a stack. Ours says it in words, as the runner does, and leaves. Set
// first, so nothing that happens while the rest loads escapes it.
const loaded: { reportError?: (error: unknown, io: CommandIo) => number } = {};
const fatal = (error: unknown) => {
  if (loaded.reportError) process.exitCode = loaded.reportError(error, io);
  else {
    process.stderr.write(`✗ Unexpected error while starting: ${error instanceof Error ? error.message : String(error)}\n  → This is a bug in chroma-migrate; please report it.\n`);
    process.exitCode = 1;
  }
  process.exit();
};
process.on('unhandledRejection', fatal);
process.on('uncaughtException', fatal);

const cli = await import('../cli/main.js');
loaded.reportError = cli.reportError;

// Past a file-size limit (ulimit -f) the kernel sends SIGXFSZ; with signal-exit's handler (from
// write-file-atomic) as the only listener, the process re-raises it and dies mid-write. A
// listener of our own makes the write fail with EFBIG instead, which the writers explain.
process.on('SIGXFSZ', () => undefined);

const controller = new AbortController();
// Every collection in flight (up to 32) listens to this one signal several times over: its file
// reader, its requests, its retries' waits. No leak, yet past Node's 10 it printed a warning of
// one into the user's terminal.
setMaxListeners(1_000, controller.signal);
let interrupts = 0;
/** The command's work has ended (define-command's `settled`): a Ctrl-C now has nothing to stop. */
let settled: number | null = null;
process.on('SIGINT', () => {
  interrupts++;
  // Said, not acted on: its words are printed and its run recorded, and the exit code stays the
  // command's (what is left is cleanup: a data folder's server stopped). Again: leave now, with it.
  if (settled !== null) {
    if (interrupts > 1) process.exit(settled);
    process.stderr.write(`\n${cli.LATE_CTRL_C}\n`);
    return;
  }
  // First Ctrl-C: stop at a safe point and save the checkpoint. Second: leave now.
  if (interrupts > 1) process.exit(130);
  process.stderr.write('\nStopping at a safe point… (Ctrl-C again to quit at once)\n');
  controller.abort(new Error('interrupted'));
});
// A `timeout`, systemd or a closed terminal: stop the same way, so a server `serve` started
// is stopped with it, and a long command leaves its checkpoint.
for (const name of ['SIGTERM', 'SIGHUP'] as const) {
  process.on(name, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error('interrupted'));
  });
}

const io: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdinIsTTY: process.stdin.isTTY === true,
  env: process.env,
  signal: controller.signal,
  program: { node: process.execPath, script: realpathSync(process.argv[1] ?? '.') },
  settled: (code) => {
    settled = code;
    interrupts = 0;
  },
};

process.exitCode = await cli.main(process.argv.slice(2), io);
// Once nothing is left to run, leave through process.exit: a natural end tears the event loop
// down first and gives SIGINT back its default, so a Ctrl-C in those last milliseconds killed
// a finished run with 130 and no word. process.exit keeps our handler to the end; one more turn
// of the loop first hears a Ctrl-C that came just before, and says so.
process.once('beforeExit', () => setImmediate(() => process.exit()));
