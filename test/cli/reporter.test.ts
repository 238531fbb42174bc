import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter } from '../../src/cli/reporter.js';
import type { ProgressEvent } from '../../src/core/util/progress.js';

function capture(tty: boolean) {
  const stderr = Object.assign(new PassThrough(), { isTTY: tty, columns: 80 });
  let text = '';
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const io = { stdout: new PassThrough(), stderr, stdinIsTTY: tty, env: {}, signal: new AbortController().signal };
  return { io, text: () => text };
}

const refused = (attempt: number): ProgressEvent => ({ type: 'retry', collection: 'docs', attempt, of: 6, delayMs: attempt * 500, reason: 'connect ECONNREFUSED 127.0.0.1:8009' });
const reset = (attempt: number): ProgressEvent => ({ type: 'retry', collection: 'docs', attempt, of: 6, delayMs: 2_000, reason: 'socket hang up (ECONNRESET)' });

describe('retries in the line reporter', () => {
  it('in a pipe, six retries for one reason are two lines: the first retry and a count of the rest', () => {
    const { io, text } = capture(false);
    const reporter = createReporter(io, { live: false });
    for (let attempt = 1; attempt <= 6; attempt++) reporter.listener(refused(attempt));
    reporter.close();
    expect(text()).toBe(
      '  docs: retry 1 of 6 in 0.5 s (connect ECONNREFUSED 127.0.0.1:8009)\n' +
        '  … and 5 more retries for the same reason (the last was 6 of 6)\n',
    );
  });

  it('in a pipe, a new reason gets its own line, and other output ends a burst', () => {
    const { io, text } = capture(false);
    const reporter = createReporter(io, { live: false });
    reporter.listener(refused(1));
    reporter.listener(refused(2));
    reporter.listener(reset(3));
    reporter.listener({ type: 'phase', message: 'Checking docs' });
    reporter.listener(reset(1));
    reporter.close();
    expect(text().split('\n')).toEqual([
      '  docs: retry 1 of 6 in 0.5 s (connect ECONNREFUSED 127.0.0.1:8009)',
      '  … and 1 more retry for the same reason (the last was 2 of 6)',
      '  docs: retry 3 of 6 in 2 s (socket hang up (ECONNRESET))',
      'Checking docs',
      '  docs: retry 1 of 6 in 2 s (socket hang up (ECONNRESET))',
      '',
    ]);
    expect(text()).not.toContain('\x1b');
  });

  it('in a terminal, retries redraw one line, which the next batch draws over', () => {
    const { io, text } = capture(true);
    const reporter = createReporter(io, { live: true });
    reporter.listener({ type: 'collection-start', collection: 'docs', total: 1_000, done: 0, resumed: false });
    for (let attempt = 1; attempt <= 6; attempt++) reporter.listener(refused(attempt));
    reporter.listener({ type: 'batch', collection: 'docs', done: 500, total: 1_000 });
    reporter.close();
    const output = text();
    // One line ends in a newline (the collection's start); everything after it is redrawn in place.
    expect(output.split('\n')).toHaveLength(2);
    expect(output.match(/\r\x1b\[2K/g)).toHaveLength(8);
    expect(output).toContain('docs: retry 6 of 6 in 3 s (connect ECONNREFUSED 127.0.0.1:8009)');
    expect(output).toContain('6 retries');
  });
});
