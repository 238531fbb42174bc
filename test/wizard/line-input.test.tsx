/** Keys that arrive together (a held Backspace, tmux, a slow link) edit the line as typed one by one. */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { LineInput } from '../../src/wizard/components/LineInput.js';
import { tick } from '../helpers/ink.js';

async function typedThenSubmitted(chunks: string[]): Promise<string | undefined> {
  let submitted: string | undefined;
  const app = render(<LineInput mask onSubmit={(value) => (submitted = value)} />);
  try {
    await tick(20);
    for (const chunk of chunks) {
      app.stdin.write(chunk);
      await tick(20);
    }
    app.stdin.write('\r');
    await tick(20);
    return submitted;
  } finally {
    app.unmount();
  }
}

describe('a line prompt fed several keys in one chunk', () => {
  it('erases one character for each Backspace in the chunk, and never keeps one', async () => {
    expect(await typedThenSubmitted(['abc', '\x7f\x7f'])).toBe('a');
    expect(await typedThenSubmitted(['abcd', '\x7f\x7f\x7f\x7f\x7f', 'Z'])).toBe('Z');
    expect(await typedThenSubmitted(['ab', '\b\bxy'])).toBe('xy');
  });

  it('drops other control characters and escape sequences instead of hiding them in the value', async () => {
    expect(await typedThenSubmitted(['to', 'k\x1b[D\x1b[Cen\x00\x07'])).toBe('token');
  });
});
