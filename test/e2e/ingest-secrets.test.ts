/**
 * Secrets on the ingestion command line (an API key in NAME=value, a --api-key flag, .env's Cloud
 * key by value) run with the command but are never saved in the state file, written to the log,
 * printed, or put in --json; a resume names what to give again.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { runIngest } from '../../src/core/ingest/run-ingest.js';
import { useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { writeProjectEnv } from '../helpers/ingest.js';

const chroma = useChromaServer();
/** .env's Cloud key (writeProjectEnv), typed on the command line as a value. */
const CLOUD_KEY = 'ck-from-dotenv-0123456789';
const OPENAI_KEY = 'sk-live-abc123def456';
const SECRETS = /sk-live-abc123def456|ck-from-dotenv-0123456789|hunter2pw/;
let dir = '';
let envFile = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-ingest-secrets-'));
  envFile = join(dir, '.env');
  await writeProjectEnv(envFile, chroma.url, 'tok-self-hosted-secrets-1');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A command that writes what it was given to got.txt, so the test sees the secrets reached it. */
function commandWithSecrets(out: string): string {
  const node = JSON.stringify(process.execPath);
  return `OPENAI_API_KEY=${OPENAI_KEY} ${node} -e "require('fs').writeFileSync('${out}', process.env.OPENAI_API_KEY + ' ' + process.argv.slice(1).join(' '))" -- --api-key ${CLOUD_KEY} --password=hunter2pw`;
}

it('ingest masks the keys in the state, the output and --json; the command still gets them; --again names what to give again', async () => {
  const state = join(dir, 'state.json');
  const got = join(dir, 'got.txt');
  const result = await runCli(['ingest', '--command', commandWithSecrets(got), '--dotenv', envFile, '--state', state, '--json'], { PATH: process.env.PATH, HOME: process.env.HOME });
  expect(result.stderr).not.toMatch(/Unexpected/);
  expect(result.code).toBe(0);
  expect(await readFile(got, 'utf8')).toBe(`${OPENAI_KEY} --api-key ${CLOUD_KEY} --password=hunter2pw`);

  const saved = await readFile(state, 'utf8');
  expect(saved).not.toMatch(SECRETS);
  expect(result.stderr).not.toMatch(SECRETS);
  expect(result.stdout).not.toMatch(SECRETS);
  const parsed = JSON.parse(saved) as { ingestCommand: string; ingestWithheld: string[] };
  expect(parsed.ingestCommand).toContain('OPENAI_API_KEY=… ');
  expect(parsed.ingestCommand).toContain('--api-key … --password=…');
  expect(parsed.ingestWithheld).toEqual(['OPENAI_API_KEY', '--api-key', '--password']);

  const status = await runCli(['status', '--state', state, '--dotenv', envFile], {});
  expect(status.stdout + status.stderr).not.toMatch(SECRETS);

  // The saved command cannot run as it is: --again says what to pass again, and runs nothing.
  await rm(got);
  const again = await runCli(['ingest', '--again', '--dotenv', envFile, '--state', state], { PATH: process.env.PATH });
  expect(again.code).toBe(2);
  expect(again.stderr).toContain('OPENAI_API_KEY, --api-key, --password were not saved (shown as …)');
  expect(again.stderr).toContain('--command');
  await expect(readFile(got)).rejects.toThrow();
}, 60_000);

it("runIngest: the log file's header holds the masked command; .env's own secret values are masked wherever they appear", async () => {
  const log = join(dir, 'ingest.log');
  const result = await runIngest({
    command: `echo started; true ${CLOUD_KEY} "x${OPENAI_KEY}"`,
    target: endpoint({ url: chroma.url }),
    env: { PATH: process.env.PATH },
    secretsFrom: { CHROMA_API_KEY: CLOUD_KEY, MY_SERVICE_TOKEN: OPENAI_KEY, HOME: '/home/someone' },
    statePath: join(dir, 'state-log.json'),
    logFile: log,
  });
  expect(result.ok).toBe(true);
  const text = await readFile(log, 'utf8');
  expect(text).toContain('$ echo started; true … "x…"');
  expect(text).not.toMatch(SECRETS);
  expect(result.command).not.toMatch(SECRETS);
  expect(result.withheld).toEqual(['the value of CHROMA_API_KEY', 'the value of MY_SERVICE_TOKEN']);
});
