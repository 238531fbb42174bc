/**
 * The ingestion command never outlives chroma-migrate unseen: a second Ctrl-C kills its whole
 * process group before exiting, kill -9 of chroma-migrate ends it through the watchdog, and in
 * both cases `status` says step 7 was interrupted instead of showing it in progress for ever.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useChromaServer } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';

const chroma = useChromaServer();
let dir = '';
let envFile = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-ingest-orphans-'));
  envFile = join(dir, '.env');
  const url = new URL(chroma.url);
  await writeFile(envFile, `CHROMA_HOST=${url.hostname}\nCHROMA_PORT=${url.port}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A command that ignores INT and TERM, writes its group id (the shell's pid), and would leave a mark if it ran on. */
const stubborn = (name: string) => `trap '' INT TERM; echo $$ > '${join(dir, `${name}.group`)}'; echo start; sleep 30; touch '${join(dir, `${name}.still-ran`)}'`;

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

async function stepSeven(state: string): Promise<string> {
  const status = await runCli(['status', '--state', state, '--dotenv', envFile], {});
  return (status.stdout + status.stderr).split('\n').find((line) => line.includes('7.')) ?? '';
}

for (const how of ['a second Ctrl-C', 'kill -9 of chroma-migrate'] as const) {
  it(`${how} leaves no command running, and status says step 7 was interrupted`, async () => {
    const name = how.startsWith('kill') ? 'killed' : 'twice';
    const state = join(dir, `${name}.json`);
    const child = spawnCli(['ingest', '--command', stubborn(name), '--dotenv', envFile, '--state', state], { env: { CHROMA_API_KEY: '' } });
    expect(await waitFor(() => child.output().includes('│ start'), 30_000), child.output()).toBe(true);
    const group = Number((await readFile(join(dir, `${name}.group`), 'utf8')).trim());
    expect(groupAlive(group)).toBe(true);
    if (how === 'kill -9 of chroma-migrate') {
      child.kill('SIGKILL');
      await exitOf(child);
    } else {
      child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 500));
      child.kill('SIGINT');
      expect(await exitOf(child)).toBe(130);
    }
    expect(await waitFor(() => !groupAlive(group), 8_000), `group ${group} still running`).toBe(true);
    const line = await stepSeven(state);
    expect(line).toContain('✗');
    expect(line).toContain('interrupted');
    expect(line).not.toContain('▶');
  }, 90_000);
}
