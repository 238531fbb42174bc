import { execFileSync } from 'node:child_process';

/**
 * The words a POSIX shell makes of `text`, as if pasted after a command: what a hint's user gets.
 * Run by the real sh, so quoting, `~` and spaces are judged by the shell itself.
 */
export function shellWords(text: string): string[] {
  const out = execFileSync('sh', ['-c', `for word in ${text}; do printf '%s\\0' "$word"; done`], { encoding: 'utf8', env: { HOME: '/home-of-the-shell' } });
  return out.split('\0').slice(0, -1);
}
