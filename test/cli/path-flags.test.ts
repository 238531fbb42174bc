import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'dotenv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir: string;
let envPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'path-flags-'));
  envPath = join(dir, '.env');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('path flags and URLs', () => {
  it('--dotenv=~/x (no shell expansion after "=") is the home folder, not a folder named "~"', async () => {
    const home = process.env.HOME;
    process.env.HOME = dir;
    try {
      const run = await runCli(['env', 'set', '--url', 'localhost', '--dotenv=~/app.env', '--yes']);
      expect(run.code, run.stderr).toBe(0);
      expect(parse(await readFile(join(dir, 'app.env'))).CHROMA_HOST).toBe('localhost');
    } finally {
      process.env.HOME = home;
    }
    await expect(stat(join(process.cwd(), '~'))).rejects.toThrow();
  });

  it("a URL's query (?api_key=…) is never printed, on stderr or in --json", async () => {
    const run = await runCli(['env', 'set', '--url', 'http://localhost:8000/x?api_key=QUERYSECRET&v=2', '--dotenv', envPath, '--dry-run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain('QUERYSECRET');
    expect(run.stderr).toContain('Dropped the path "/x?api_key=…&v=…"');
  });

  it("a source URL's dropped path is said too, its query masked, before the source is asked", async () => {
    const run = await runCli(['export', '--source-url', 'http://127.0.0.1:9/chroma?api_key=QUERYSECRET', '--all', '--out', join(dirname(envPath), 'never.jsonl.gz')]);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).not.toContain('QUERYSECRET');
    expect(run.stderr).toContain('--source-url: Dropped the path "/chroma?api_key=…"');
  });
});
