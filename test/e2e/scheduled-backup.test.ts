import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import { backupFileName, listBackups, runBackup } from '../../src/core/schedule/run-backup.js';
import { verifyBackup } from '../../src/core/operations/verify.js';
import { startTestServer, useChromaServer } from '../helpers/chroma.js';
import { BUNDLE, runCli } from '../helpers/cli.js';
import { makeRecords } from '../helpers/fixtures.js';
import { seedCollection } from '../helpers/ingest.js';

const execFileAsync = promisify(execFile);
const chroma = useChromaServer();
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-backup-'));
  await seedCollection(chroma.url, 'cro_audit_issues', 1177);
  await seedCollection(chroma.url, 'audit_summaries', 22, 8);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function addRecords(name: string, count: number, prefix: string): Promise<void> {
  const api = new ChromaApi(endpoint({ url: chroma.url }));
  const info = await api.findCollection(name);
  await api.upsert(info!.id, makeRecords(count, { dim: 16, prefix, seed: count }), { base64: false });
}

describe('chroma-migrate backup: weekly backups of the new server', () => {
  it('three backups with --keep 2 leave the newest two, and the newest restores to an identical collection', async () => {
    const backups = join(dir, 'weekly');
    await mkdir(backups);
    // Someone else's files in the same folder, some with names close to ours: never touched.
    const strangers = ['notes.txt', 'chroma-backup-manual.jsonl.gz', 'chroma-backup-2020-01-01T00-00-00Z.jsonl', 'chroma-backup-2020-01-01T00-00-00Z.jsonl.gz.bad'];
    for (const name of strangers) await writeFile(join(backups, name), 'not ours');
    const migrationState = join(dir, 'migration-state.json');
    const env = { CHROMA_MIGRATE_STATE: migrationState };

    const files: string[] = [];
    const timings: number[] = [];
    for (const week of [1, 2, 3]) {
      if (week > 1) await addRecords('cro_audit_issues', 100 * week, `week${week}`);
      const started = Date.now();
      const result = await runCli(['backup', '--dir', backups, '--keep', '2', '--url', chroma.url, '--json'], env);
      timings.push(Date.now() - started);
      expect(result.stderr).not.toMatch(/Unexpected/);
      expect(result.code).toBe(0);
      const json = JSON.parse(result.stdout);
      expect(basename(json.file)).toMatch(/^chroma-backup-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.jsonl\.gz$/);
      files.push(json.file);
    }
    const [first, second, third] = files as [string, string, string];
    expect(new Set(files).size).toBe(3);
    expect([...files].sort()).toEqual(files);
    expect(await listBackups(backups)).toEqual([basename(second), basename(third)]);
    expect(existsSync(first)).toBe(false);
    for (const name of strangers) expect(existsSync(join(backups, name))).toBe(true);
    // A weekly backup is not the migration's export: the migration state stays as it was.
    expect(existsSync(migrationState)).toBe(false);

    // The newest holds this week's data...
    const live = await verifyBackup({ input: third, target: endpoint({ url: chroma.url }) });
    expect(live.ok).toBe(true);
    expect(live.collections.map((verdict) => [verdict.collection, verdict.count]).sort()).toEqual([
      ['audit_summaries', 22],
      ['cro_audit_issues', 1177 + 200 + 300],
    ]);

    // ...and restores onto an empty server as an identical copy.
    const spare = await startTestServer();
    try {
      const restored = await runCli(['import', '--input', third, '--url', spare.server.url, '--json'], { CHROMA_MIGRATE_STATE: join(dir, 'restore-state.json') });
      expect(restored.code).toBe(0);
      const verified = await runCli(['verify', '--input', third, '--url', spare.server.url], { CHROMA_MIGRATE_STATE: join(dir, 'restore-state.json') });
      expect(verified.stderr).toContain('✓ cro_audit_issues');
      expect(verified.code).toBe(0);
      const space = (await new ChromaApi(endpoint({ url: spare.server.url })).findCollection('cro_audit_issues'))?.configuration_json?.hnsw?.space;
      expect(space).toBe('cosine');
    } finally {
      await spare.cleanup();
    }
    console.info(`backup of 1,699 records, 2 collections: ${timings.map((ms) => `${ms} ms`).join(', ')}`);
  });

  it('an interrupted backup continues on the next run, into the same file', async () => {
    const backups = join(dir, 'interrupted');
    const controller = new AbortController();
    const source = endpoint({ url: chroma.url });
    await expect(
      runBackup({
        source,
        dir: backups,
        pageSize: 50,
        concurrency: 1,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.type === 'batch' && event.done >= 200) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'INTERRUPTED' });
    const partials = (await readdir(backups)).filter((name) => name.endsWith('.partial'));
    expect(partials).toHaveLength(1);

    const result = await runBackup({ source, dir: backups, pageSize: 50, keep: 1 });
    expect(result.resumed).toBe(true);
    expect(`${basename(result.file)}.partial`).toBe(partials[0]);
    expect(await readdir(backups)).toEqual(expect.arrayContaining([basename(result.file)]));
    expect((await readdir(backups)).filter((name) => name.endsWith('.partial'))).toEqual([]);
    expect((await verifyBackup({ input: result.file, target: source })).ok).toBe(true);
  });

  it('--print-cron prints a weekly crontab line: absolute node and CLI, the log folder made first, paths quoted', async () => {
    const odd = join(dir, "it's 100% backups");
    const result = await runCli(['backup', '--dir', odd, '--keep', '4', '--print-cron']);
    expect(result.code).toBe(0);
    const q = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`.replace(/%/g, '\\%');
    expect(result.stdout).toBe(
      `0 3 * * 0 cd ${q(process.cwd())} && mkdir -p ${q(odd)} && ${q(process.execPath)} ${q(BUNDLE)} backup --dir ${q(odd)} --keep 4 >> ${q(join(odd, 'backup.log'))} 2>&1\n`,
    );
    expect(result.stdout).toContain("'\\''s 100\\% backups");
    expect(existsSync(odd)).toBe(false);
  });

  it("the printed line, run as cron runs it (env -i, PATH=/usr/bin:/bin, another folder), writes a backup and its log", async () => {
    // The app's folder, with an awkward name, a .env pointing at the server, and no chroma-migrate in it.
    const app = join(dir, "my app's 100% folder");
    await mkdir(app);
    const url = new URL(chroma.url);
    await writeFile(join(app, '.env'), `CHROMA_HOST=${url.hostname}\nCHROMA_PORT=${url.port}\nCHROMA_SSL=false\n`);
    // Printed by the installed CLI itself, as a user would: the bundle, started in the app's folder.
    const printed = await execFileAsync(process.execPath, [BUNDLE, 'backup', '--dir', 'backups', '--keep', '4', '--print-cron'], { cwd: app, env: { ...process.env, CI: 'true' } });
    const line = printed.stdout.trim();
    expect(line).not.toContain('npx');
    // cron: the first five fields are the schedule; "\%" is a literal "%"; the rest goes to sh.
    const command = line.split(' ').slice(5).join(' ').replace(/\\%/g, '%');
    const elsewhere = await mkdtemp(join(tmpdir(), 'cm-cron-home-'));
    try {
      await execFileAsync('env', ['-i', 'PATH=/usr/bin:/bin', 'sh', '-c', command], { cwd: elsewhere });
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
    const written = await listBackups(join(app, 'backups'));
    expect(written).toHaveLength(1);
    expect((await verifyBackup({ input: join(app, 'backups', written[0]!), target: endpoint({ url: chroma.url }) })).ok).toBe(true);
    expect(await readFile(join(app, 'backups', 'backup.log'), 'utf8')).toContain('✓ Backup');
    expect(existsSync(join(app, '.chroma-migrate'))).toBe(false);
  });

  it('the target given by flag goes into the cron line, its token never does', async () => {
    const result = await runCli(['backup', '--dir', 'b', '--print-cron', '--url', 'chroma.example.com', '--token', 'tok-secret-123456']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--dir 'b' ".replace("'b'", `'${join(process.cwd(), 'b')}'`));
    expect(result.stdout).toContain('--url https://chroma.example.com:443');
    expect(result.stdout).not.toContain('tok-secret');
    expect(result.stderr).toContain('CHROMA_AUTH_TOKEN in .env');
  });

  it('needs --dir, and refuses --state (the migration state is not its to touch)', async () => {
    expect(await runCli(['backup'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--dir DIR') });
    expect(await runCli(['backup', '--dir', dir, '--state', 'x.json'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--state does not apply') });
    expect(await runCli(['backup', '--dir', dir, '--keep', '0'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--keep takes a whole number') });
  });
});

describe('backup rotation and names', () => {
  it('names sort in time order, without colons', () => {
    expect(backupFileName(new Date('2026-11-25T10:49:07.654Z'))).toBe('chroma-backup-2026-11-25T10-49-07Z.jsonl.gz');
  });

  it('removes only our own regular files, oldest first, and never the newest N', async () => {
    const { rotateBackups } = await import('../../src/core/schedule/run-backup.js');
    const folder = join(dir, 'rotation');
    await mkdir(folder);
    const ours = ['2026-01-04T03-00-00Z', '2026-01-11T03-00-00Z', '2026-01-18T03-00-00Z', '2026-01-25T03-00-00Z'].map((at) => `chroma-backup-${at}.jsonl.gz`);
    const header = '{"format":"chroma-migrate-backup","version":4,"source":{"url":"http://h:1","tenant":"default_tenant","database":"default_database"}}\n';
    for (const name of ours) await writeFile(join(folder, name), header);
    // Named as ours, but not a backup of ours: a user's file is never deleted.
    await writeFile(join(folder, 'chroma-backup-2018-01-01T00-00-00Z.jsonl.gz'), 'notgz');
    await writeFile(join(folder, 'chroma-backup-2026-02-01T03-00-00Z.jsonl.gz.partial'), 'x');
    await writeFile(join(folder, 'important.jsonl.gz'), 'x');
    await mkdir(join(folder, 'chroma-backup-2025-01-01T00-00-00Z.jsonl.gz'));
    await symlink(join(folder, 'important.jsonl.gz'), join(folder, 'chroma-backup-2025-06-01T00-00-00Z.jsonl.gz'));

    const rotation = await rotateBackups(folder, 2, { file: join(folder, ours[3]!), collections: 0, records: 0 });
    expect(rotation.removed.map((path) => basename(path))).toEqual(ours.slice(0, 2));
    expect(rotation.kept.map((path) => basename(path))).toEqual(ours.slice(2));
    expect((await readdir(folder)).sort()).toEqual(
      [
        'chroma-backup-2018-01-01T00-00-00Z.jsonl.gz',
        'chroma-backup-2025-01-01T00-00-00Z.jsonl.gz',
        'chroma-backup-2025-06-01T00-00-00Z.jsonl.gz',
        ...ours.slice(2),
        'chroma-backup-2026-02-01T03-00-00Z.jsonl.gz.partial',
        'important.jsonl.gz',
      ].sort(),
    );
  });

  it('two backups in the same second, or a clock set back, still get a newer name', async () => {
    const { nextBackupPath } = await import('../../src/core/schedule/rotation.js');
    const folder = join(dir, 'names');
    await mkdir(folder);
    const now = new Date('2026-11-25T10:49:07.100Z');
    const firstPath = await nextBackupPath(folder, now);
    await writeFile(firstPath, 'x');
    expect(basename(await nextBackupPath(folder, new Date('2026-11-25T10:49:07.900Z')))).toBe('chroma-backup-2026-11-25T10-49-08Z.jsonl.gz');
    expect(basename(await nextBackupPath(folder, new Date('2026-11-24T00:00:00Z')))).toBe('chroma-backup-2026-11-25T10-49-08Z.jsonl.gz');
  });
});
