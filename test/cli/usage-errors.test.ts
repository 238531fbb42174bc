/**
 * Mistakes in the command line are usage errors (exit 2), said before anything is read or
 * written, with the fix in words.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** Nothing listens here: a usage error must come before any connection is tried. */
const NOWHERE = 'http://127.0.0.1:9';

describe('--as', () => {
  it('a name Chroma would not take is exit 2 before anything is read, with one it would', async () => {
    const runs = [
      ['import', '--input', 'nowhere.jsonl', '--url', NOWHERE, '--as', 'my docs'],
      ['copy', '--source-url', NOWHERE, '--url', NOWHERE, '--collections', 'a', '--out', 'x.jsonl', '--as', 'my docs'],
      ['sync', '--source-url', NOWHERE, '--url', NOWHERE, '--collections', 'a', '--as', 'my docs'],
    ];
    for (const args of runs) {
      const run = await runCli(args);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('--as "my docs" is not a collection name: Chroma takes 3–512 characters');
      expect(run.stderr).toContain('Pick another name, e.g. --as my_docs');
      expect(run.stderr).not.toContain('Upgrade the target');
    }
  });
});

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
