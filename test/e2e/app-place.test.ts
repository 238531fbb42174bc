/**
 * The app after a copy into a tenant and database of their own: `env set` tells it where the data
 * went (CHROMA_HOST_TENANT, CHROMA_HOST_DATABASE), createChromaClient reads them, and the client
 * code shown for the app connects there. Without them an app pointed at the server lists the
 * default database, which holds nothing of the copy. Moving back to the default removes them, so
 * do rollback and `ingest`'s child environment.
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChromaClient } from '../../src/app-client.js';
import { jsClient } from '../../src/present/app-snippets.js';
import { useTwoServers } from '../helpers/chroma.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { runCli } from '../helpers/cli.js';
import { seedCollection } from '../helpers/ingest.js';

const { source, target } = useTwoServers();
const PROJECT = fileURLToPath(new URL('../..', import.meta.url));
const CLOUD = 'CHROMA_API_KEY=ck-cloud-0123456789abcdef\nCHROMA_TENANT=cloud-tenant\nCHROMA_DATABASE=cloud-db\n';
let dir = '';
let state = '';

beforeAll(async () => {
  dir = await makeTempDir();
  state = join(dir, 'state.json');
  await seedCollection(source.url, 'docs', 40, 4);
  const copy = await runCli(['copy', '--source-url', source.url, '--url', target.url, '--target-tenant', 'acme', '--target-database', 'prod_docs', '--all', '--out', join(dir, 'docs.jsonl.gz'), '--state', state]);
  expect(copy.code, copy.stderr).toBe(0);
}, 300_000);
afterAll(() => removeDir(dir));

const names = async (env: Record<string, string>) => (await createChromaClient(env).listCollections()).map((collection) => collection.name);

describe('the app after a copy into tenant acme, database prod_docs', () => {
  it('env set --target-tenant --target-database writes them, and createChromaClient from that .env lists the copied collection', async () => {
    const envFile = join(dir, 'placed.env');
    await writeFile(envFile, CLOUD);
    const run = await runCli(['env', 'set', '--url', target.url, '--target-tenant', 'acme', '--target-database', 'prod_docs', '--dotenv', envFile, '--yes', '--state', state]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('+ CHROMA_HOST_TENANT=acme');
    expect(run.stderr).toContain('+ CHROMA_HOST_DATABASE=prod_docs');
    const env = parse(await readFile(envFile));
    expect(env).toMatchObject({ CHROMA_HOST_TENANT: 'acme', CHROMA_HOST_DATABASE: 'prod_docs', CHROMA_TENANT: 'cloud-tenant', CHROMA_DATABASE: 'cloud-db' });
    expect(await names(env)).toEqual(['docs']);

    // The JS client code shown for this place reads the same .env and sees the same collection.
    const script = `${jsClient({ tenant: 'acme', database: 'prod_docs' })}\nconsole.log('collections:', JSON.stringify((await client.listCollections()).map((c) => c.name)));`;
    const app = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: PROJECT, env: { PATH: process.env.PATH ?? '', DOTENV_CONFIG_PATH: envFile, DOTENV_CONFIG_QUIET: 'true' }, encoding: 'utf8' });
    expect(app.stdout + app.stderr).toContain('collections: ["docs"]');
  });

  it('a plain env set names the flags the copy used, and removes keys a default place has no use for', async () => {
    const envFile = join(dir, 'back.env');
    await writeFile(envFile, `${CLOUD}CHROMA_HOST=old.example.com\nCHROMA_HOST_TENANT=acme\nCHROMA_HOST_DATABASE=prod_docs\n`);
    const run = await runCli(['env', 'set', '--url', target.url, '--dotenv', envFile, '--yes', '--state', state]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`! The migration state says the data on ${target.url} went into tenant "acme", database "prod_docs", not where this .env points: for your app to see it, add --target-tenant acme --target-database prod_docs.`);
    const env = parse(await readFile(envFile));
    expect(env.CHROMA_HOST_TENANT).toBeUndefined();
    expect(env.CHROMA_HOST_DATABASE).toBeUndefined();
    expect(env).toMatchObject({ CHROMA_TENANT: 'cloud-tenant', CHROMA_DATABASE: 'cloud-db' });
    // The default database holds nothing of the copy: what an app there sees.
    expect(await names(env)).toEqual([]);

    // With no record of the copy, the place .env named is said as it goes, with the flags that keep it.
    await writeFile(envFile, `${CLOUD}CHROMA_HOST_TENANT=acme\nCHROMA_HOST_DATABASE=prod_docs\n`);
    const unrecorded = await runCli(['env', 'set', '--url', target.url, '--dotenv', envFile, '--dry-run', '--state', join(dir, 'none.json')]);
    expect(unrecorded.stderr).toContain('! .env named tenant "acme", database "prod_docs" on the server; without --target-tenant and --target-database that goes, and the app reads the default ones. To keep it, add --target-tenant acme --target-database prod_docs.');
    expect(unrecorded.stderr).toContain('- CHROMA_HOST_TENANT=acme');
  });

  it('rollback removes them with the other self-hosted keys', async () => {
    const envFile = join(dir, 'rollback.env');
    await writeFile(envFile, CLOUD);
    const rollbackState = join(dir, 'rollback-state.json');
    expect((await runCli(['env', 'set', '--url', target.url, '--dotenv', envFile, '--yes', '--state', rollbackState])).code).toBe(0);
    // Written by hand here, so that this checks rollback alone.
    await writeFile(envFile, `${await readFile(envFile, 'utf8')}CHROMA_HOST_TENANT=acme\nCHROMA_HOST_DATABASE=prod_docs\n`);
    const run = await runCli(['rollback', '--dotenv', envFile, '--yes', '--state', rollbackState]);
    expect(run.code, run.stderr).toBe(0);
    expect(parse(await readFile(envFile))).toEqual(parse(CLOUD));
  });

  it("ingest's command sees the place it counts in, and never a stale one from the shell", async () => {
    const envFile = join(dir, 'ingest.env');
    await writeFile(envFile, `${CLOUD}CHROMA_HOST_TENANT=acme\nCHROMA_HOST_DATABASE=prod_docs\n`);
    const printer = join(dir, 'print-env.mjs');
    await writeFile(printer, "const keys = Object.keys(process.env).filter((key) => key.startsWith('CHROMA_'));\nconsole.log(JSON.stringify(Object.fromEntries(keys.map((key) => [key, process.env[key]]))));\n");
    const seen = async (flags: string[]) => {
      const report = join(dir, 'seen.json');
      const command = `'${process.execPath}' '${printer}' > '${report}'`;
      const shell = { PATH: process.env.PATH, CHROMA_HOST_TENANT: 'stale', CHROMA_HOST_DATABASE: 'stale' };
      const run = await runCli(['ingest', '--command', command, '--url', target.url, ...flags, '--dotenv', envFile, '--state', join(dir, 'ingest-state.json')], shell);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(await readFile(report, 'utf8')) as Record<string, string>;
    };
    const placed = await seen(['--target-tenant', 'acme', '--target-database', 'prod_docs']);
    expect(placed).toMatchObject({ CHROMA_HOST_TENANT: 'acme', CHROMA_HOST_DATABASE: 'prod_docs', CHROMA_API_KEY: '', CHROMA_TENANT: '', CHROMA_DATABASE: '' });
    const plain = await seen([]);
    // The default ones said too: a script that loads .env must not take another place from it.
    expect(plain).toMatchObject({ CHROMA_HOST_TENANT: 'default_tenant', CHROMA_HOST_DATABASE: 'default_database' });
  });

  it('ingest without flags, after env set: counts where .env points its app, and tells the command the same', async () => {
    const envFile = join(dir, 'after-env-set.env');
    await writeFile(envFile, CLOUD);
    expect((await runCli(['env', 'set', '--url', target.url, '--target-tenant', 'acme', '--target-database', 'prod_docs', '--dotenv', envFile, '--yes', '--state', state])).code).toBe(0);
    const report = join(dir, 'seen-after.json');
    const command = `'${process.execPath}' -e 'console.log(JSON.stringify([process.env.CHROMA_HOST_TENANT, process.env.CHROMA_HOST_DATABASE]))' > '${report}'`;
    const run = await runCli(['ingest', '--command', command, '--dotenv', envFile, '--state', join(dir, 'ingest-after.json')], { PATH: process.env.PATH });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('in tenant "acme", database "prod_docs"');
    expect(run.stderr).toContain('docs: 40 → 40');
    expect(JSON.parse(await readFile(report, 'utf8'))).toEqual(['acme', 'prod_docs']);
  });
});
