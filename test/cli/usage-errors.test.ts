/**
 * Mistakes in the command line are usage errors (exit 2), said before anything is read or
 * written, with the fix in words.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** Nothing listens here: a usage error must come before any connection is tried. */
const NOWHERE = 'http://127.0.0.1:9';

describe('sync usage', () => {
  it('--as with --all (or several collections) is exit 2', async () => {
    for (const which of [['--all'], ['--collections', 'a,b']]) {
      const run = await runCli(['sync', '--source-url', NOWHERE, '--url', NOWHERE, ...which, '--as', 'x']);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('--as names the target of one collection');
    }
  });

  it('--dry-run with --out is refused, not silently ignored', async () => {
    const run = await runCli(['sync', '--source-url', NOWHERE, '--url', NOWHERE, '--all', '--dry-run', '--out', 'x.jsonl']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('--dry-run writes nothing, so it writes no --out backup either');
  });

  it('--help says a collection the target lacks is created, and that sync is one way', async () => {
    const run = await runCli(['sync', '--help']);
    const text = run.stdout.replace(/\s+/g, ' ');
    expect(text).not.toContain('must exist on the target');
    expect(text).toContain("one the target lacks is created with the source's settings");
    expect(text).toContain("is replaced by the source's");
  });
});
