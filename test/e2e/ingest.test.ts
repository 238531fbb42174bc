import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { runIngest } from '../../src/core/ingest/run-ingest.js';
import { loadState } from '../../src/core/state/store.js';
import { useChromaServer } from '../helpers/chroma.js';
import { exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { countOf, ingestScript, seedCollection, writeProjectEnv } from '../helpers/ingest.js';

const chroma = useChromaServer();
const TOKEN = 'tok-self-hosted-9f8e7d6c5b4a';
let dir = '';
let envFile = '';
/** What the user's shell exports: a Cloud key among it, which must not reach the script. */
let shellEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-ingest-'));
  envFile = join(dir, '.env');
  await writeProjectEnv(envFile, chroma.url, TOKEN);
  shellEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CHROMA_API_KEY: 'ck-from-shell-abcdef', CHROMA_TENANT: 'tenant-from-shell' };
  await seedCollection(chroma.url, 'cro_audit_issues', 1177);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, any>;

describe('chroma-migrate ingest runs the user\'s own ingestion command against the new server', () => {
  it('ingests the remaining audits: "cro_audit_issues: 1,177 → 2,054 (+877)", with the target in the environment and no Cloud key', async () => {
    const report = join(dir, 'seen-ok.json');
    const state = join(dir, 'state-ok.json');
    // The script loads the project's .env itself, as many do: its Cloud key must still not win.
    const command = ingestScript(`--collection cro_audit_issues --add 877 --report '${report}' --dotenv '${envFile}'`);
    const result = await runCli(['ingest', '--command', command, '--dotenv', envFile, '--state', state], shellEnv);

    expect(result.stderr).not.toMatch(/Unexpected/);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('│ added 877/877');
    expect(result.stderr).toContain('✓ The command finished (exit code 0).');
    expect(result.stderr).toContain('cro_audit_issues: 1,177 → 2,054 (+877)');
    expect(await countOf(chroma.url, 'cro_audit_issues')).toBe(2054);

    const seen = await readJson(report);
    const url = new URL(chroma.url);
    expect(seen.env).toEqual({
      CHROMA_HOST: url.hostname,
      CHROMA_PORT: url.port,
      CHROMA_SSL: 'false',
      CHROMA_AUTH_TOKEN: TOKEN,
      CHROMA_AUTH_TOKEN_TRANSPORT_HEADER: 'Authorization',
      CHROMA_API_KEY: '',
      CHROMA_TENANT: '',
      CHROMA_DATABASE: '',
    });
    // Neither the Cloud keys (from the shell or from .env) nor the token on any command line `ps` shows.
    expect(JSON.stringify(seen)).not.toMatch(/ck-from|tenant-from/);
    expect(seen.argv.join(' ')).not.toContain(TOKEN);
    expect(seen.parentArgv.join(' ')).not.toContain(TOKEN);
    expect(seen.cwd).toBe(process.cwd());

    const saved = await loadState(state);
    expect(saved.ingestCommand).toBe(command);
    expect(saved.steps.ingest).toMatchObject({ status: 'done', detail: 'exit 0; cro_audit_issues: 1,177 → 2,054 (+877)' });
    expect(await readFile(state, 'utf8')).not.toContain(TOKEN);
  });

  it('a failing command fails the step with its exit code, and the counts are still shown', async () => {
    await seedCollection(chroma.url, 'failing_audits', 40);
    const state = join(dir, 'state-fail.json');
    const command = ingestScript('--collection failing_audits --add 10 --exit 3');
    const result = await runCli(['ingest', '--command', command, '--collection', 'failing_audits', '--dotenv', envFile, '--state', state, '--json'], shellEnv);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('│ something went wrong (exit 3)');
    expect(result.stderr).toContain('✗ The command failed with exit code 3.');
    expect(result.stderr).toContain('failing_audits: 40 → 50 (+10)');
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ ok: false, exitCode: 3, interrupted: false, countedAfter: true, counts: [{ collection: 'failing_audits', before: 40, after: 50, change: 10 }] });
    expect(json.tail).toContain('added 10/10');
    expect((await loadState(state)).steps.ingest).toMatchObject({ status: 'failed', detail: 'failed with exit 3; failing_audits: 40 → 50 (+10)' });
  });

  it('remembers the command: --again runs it, and without a terminal a missing --command names it', async () => {
    const state = join(dir, 'state-again.json');
    const command = ingestScript('--collection again_audits --add 5');
    expect((await runCli(['ingest', '--command', command, '--dotenv', envFile, '--state', state], shellEnv)).code).toBe(0);

    const asked = await runCli(['ingest', '--dotenv', envFile, '--state', state], shellEnv);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain(`Last time you ran: ${command}`);
    expect(asked.stderr).toContain('--again');

    const again = await runCli(['ingest', '--again', '--collection', 'again_audits', '--dotenv', envFile, '--state', state], shellEnv);
    expect(again.code).toBe(0);
    // Same ids again: the script's add leaves the count where it was.
    expect(again.stderr).toContain('again_audits: 5 → 5 (+0)');
  });

  it('--collection counts only that collection, and a collection the command creates shows as new', async () => {
    const result = await runCli(
      ['ingest', '--command', ingestScript('--collection brand_new --add 250'), '--collection', 'brand_new', '--dotenv', envFile, '--state', join(dir, 'state-new.json')],
      shellEnv,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('brand_new: new → 250 (+250)');
    expect(result.stderr).not.toContain('cro_audit_issues');
  });

  it('a command the shell cannot find exits 127 and says so', async () => {
    const result = await runCli(['ingest', '--command', 'no-such-ingest-command-xyz', '--dotenv', envFile, '--state', join(dir, 'state-127.json')], shellEnv);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('exit code 127');
    expect(result.stderr).toContain('could not find it');
  });

  it('refuses a command line that carries the token (ps would show it, the state would keep it)', async () => {
    const state = join(dir, 'state-token.json');
    const result = await runCli(['ingest', '--command', `echo ${TOKEN}`, '--dotenv', envFile, '--state', state], shellEnv);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('contains the server\'s token');
    expect((await loadState(state)).ingestCommand).toBeUndefined();
  });

  it('an unreachable target fails before the command runs', async () => {
    const marker = join(dir, 'should-not-exist');
    // An explicit --dotenv must exist: an empty one keeps the repository's .env out of it.
    await writeFile(join(dir, 'none.env'), '');
    const result = await runCli(['ingest', '--command', `touch '${marker}'`, '--url', 'http://127.0.0.1:9', '--state', join(dir, 'state-down.json'), '--dotenv', join(dir, 'none.env')], shellEnv);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Nothing accepts connections');
    await expect(readFile(marker)).rejects.toThrow();
  }, 60_000);
});

describe('Ctrl-C reaches the ingestion command', () => {
  it('the CLI forwards Ctrl-C to the command (through the shell), waits for it, and exits 130 with the counts', async () => {
    const report = join(dir, 'seen-sigint.json');
    const child = spawnCli(
      // "; echo": the shell has to stay, so the script is its child, not exec'd in its place.
      ['ingest', '--command', `${ingestScript(`--collection sigint_audits --add 30 --wait-for-sigint --report '${report}'`)}; echo done`, '--dotenv', envFile, '--state', join(dir, 'state-sigint.json')],
      { env: { CHROMA_API_KEY: '' } },
    );
    await waitFor(() => child.output().includes('waiting for Ctrl-C'), 30_000);
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(130);
    const output = child.output();
    expect(output).toContain('│ got SIGINT, stopping');
    expect(output).toContain('✗ Interrupted: the command stopped with exit code 130.');
    expect(output).toContain('sigint_audits: new → 30 (+30)');
    // The script itself (the shell's child) is gone, not orphaned.
    const { pid, parentArgv } = await readJson(report);
    expect(parentArgv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);

  it('runIngest: aborting forwards SIGINT; a command that ignores it is terminated after the grace period', async () => {
    const target = endpoint({ url: chroma.url });
    await seedCollection(chroma.url, 'quiet_audits', 12);
    const controller = new AbortController();
    const lines: string[] = [];
    const started = Date.now();
    const result = await runIngest({
      command: `trap '' INT; echo ready; sleep 30; echo never`,
      target,
      env: { PATH: process.env.PATH },
      collections: ['quiet_audits'],
      signal: controller.signal,
      graceMs: 300,
      onOutput: (line) => {
        lines.push(line);
        if (line === 'ready') controller.abort();
      },
    });
    expect(result).toMatchObject({ interrupted: true, ok: false, countedAfter: true });
    expect(result.exitCode).toBeGreaterThan(128);
    expect(lines).toEqual(['ready']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.counts).toEqual([{ collection: 'quiet_audits', before: 12, after: 12, change: 0 }]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
