/**
 * `env set --token T` interrupted at its question: the command printed to run again leaves the
 * token out (it is never printed), so the hint must say so and ask for it again — without it,
 * env set writes no token.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

let dir = '';
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'cm-env-int-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

it('Ctrl-C at "Write these changes?" names the token left out of the command to run again', async () => {
  const envFile = join(dir, '.env');
  await writeFile(envFile, 'OTHER=1\n');
  const stdout = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  let err = '';
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  stdout.resume();
  // Ctrl-C before the answer: the question is asked with an aborted signal.
  const ctrlC = new AbortController();
  ctrlC.abort();
  const secret = 'tok-never-printed';
  const code = await main(['env', 'set', '--url', 'https://chroma.example.com', '--token', secret, '--env-file', envFile, '--state', join(dir, 'state.json')], {
    stdout,
    stderr,
    stdinIsTTY: true,
    env: {},
    signal: ctrlC.signal,
  });
  expect(code, err).toBe(130);
  expect(err).toContain('chroma-migrate env set --url https://chroma.example.com');
  expect(err).not.toContain(secret);
  expect(err).toContain('--token was left out');
  expect(err).toContain('--token was left out. Add it again (or set CHROMA_AUTH_TOKEN in the environment), or it is not written.');
  expect(await readFile(envFile, 'utf8')).toBe('OTHER=1\n');
});
