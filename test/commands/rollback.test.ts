import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'dotenv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups, saveBackup } from '../../src/core/env-file/backups.js';
import { runCli } from '../helpers/cli.js';
import { shellWords } from '../helpers/shell-words.js';

const CLOUD = '# Cloud\r\nCHROMA_API_KEY=ck-cloud-0123456789abcdef\r\nCHROMA_TENANT=acme\r\nCHROMA_DATABASE=prod';

let dir: string;
let envPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rollback-'));
  envPath = join(dir, '.env');
});

afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const setUrl = (...extra: string[]) => runCli(['env', 'set', '--url', 'https://chroma.example.com', '--token', 'srv-tok-5f4e3d2c1b0a', '--dotenv', envPath, '--yes', ...extra]);
const backupNames = async () => (await readdir(dir)).filter((name) => name.startsWith('.env.backup-')).sort();

describe('chroma-migrate rollback', () => {
  it('after env set, removes the self-hosted keys and gives back the original bytes', async () => {
    await writeFile(envPath, CLOUD);
    expect((await setUrl()).code).toBe(0);
    const result = await runCli(['rollback', '--dotenv', envPath, '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(envPath, 'utf8')).toBe(CLOUD);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ action: 'remove', changed: ['CHROMA_HOST', 'CHROMA_PORT', 'CHROMA_SSL', 'CHROMA_AUTH_TOKEN'], written: true });
    expect(await readFile(json.backup, 'utf8')).toContain('CHROMA_HOST=chroma.example.com');
    expect(result.stderr).toContain('Chroma data is not touched');
  });

  it("prints hints whose paths paste into a shell as they are, with spaces, '~' and quotes", async () => {
    const odd = join(dir, "envt ~ it's");
    await mkdir(odd);
    envPath = join(odd, '.env');
    await writeFile(envPath, CLOUD);
    const set = await setUrl();
    expect(set.code, set.stderr).toBe(0);
    expect(shellWords(/To switch back to Chroma Cloud: (.+)/.exec(set.stderr)?.[1] ?? '')).toEqual(['chroma-migrate', 'rollback', '--dotenv', envPath]);
    const result = await runCli(['rollback', '--dotenv', envPath, '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { backup } = JSON.parse(result.stdout);
    expect(shellWords(/Undo: (.+)/.exec(result.stderr)?.[1] ?? '')).toEqual(['chroma-migrate', 'rollback', '--restore', backup, '--dotenv', envPath]);
    const listed = await runCli(['rollback', '--dotenv', envPath, '--list']);
    expect(shellWords(/Restore one with: (.+)/.exec(listed.stdout)?.[1] ?? '')).toEqual(['chroma-migrate', 'rollback', '--restore', 'FILE', '--dotenv', envPath]);
  });

  describe('with the migration state kept between runs', () => {
    const ORIGINAL = `# app\nexport CHROMA_HOST=api.trychroma.com\nCHROMA_PORT=443\n${CLOUD}\n`;
    const state = () => ({ CHROMA_MIGRATE_STATE: join(dir, 'state.json') });
    const run = (...args: string[]) => runCli(args, state());
    const setTo = (url: string, token: string) => run('env', 'set', '--url', url, '--token', token, '--dotenv', envPath, '--yes');
    const step4 = async () => JSON.parse((await run('status', '--json')).stdout).steps.find((step: { id: string }) => step.id === 'env');

    it("gives the keys the values they had before the migration's first env set, and status shows step 4 undone", async () => {
      await writeFile(envPath, ORIGINAL);
      expect((await setTo('https://chroma.example.com:8443', 'srv-tok-5f4e3d2c1b0a')).code).toBe(0);
      const [first] = await backupNames();
      // A later env set's backup holds the server's values: the first one is what counts.
      expect((await setTo('http://localhost:18202', 'another-token-123456')).code).toBe(0);
      expect(await step4()).toMatchObject({ status: 'done', detail: '.env → http://localhost:18202' });
      const result = await run('rollback', '--dotenv', envPath, '--yes', '--json');
      expect(result.code, result.stderr).toBe(0);
      expect(await readFile(envPath, 'utf8')).toBe(ORIGINAL);
      expect(JSON.parse(result.stdout)).toMatchObject({ valuesFrom: join(dir, first as string), changed: ['CHROMA_HOST', 'CHROMA_PORT', 'CHROMA_SSL', 'CHROMA_AUTH_TOKEN'], written: true });
      expect(result.stderr).toContain('go back to what they were before the migration');
      expect(result.stderr).not.toContain('not known');
      expect(await step4()).toMatchObject({ status: 'pending', detail: 'rolled back: the .env has its settings from before the migration again' });
      expect((await run('status')).stdout).toContain('[ ] 4. Update .env (rolled back');
      // Undoing the rollback points the app at the server again, and step 4 follows.
      expect((await run('rollback', '--dotenv', envPath, '--restore', 'latest', '--yes')).code).toBe(0);
      expect(parse(await readFile(envPath)).CHROMA_HOST).toBe('localhost');
      expect(await step4()).toMatchObject({ status: 'done' });
    });

    it('--comment puts the old values back and comments out only the keys that were not there', async () => {
      await writeFile(envPath, ORIGINAL);
      await setTo('https://chroma.example.com:8443', 'srv-tok-5f4e3d2c1b0a');
      expect((await run('rollback', '--dotenv', envPath, '--comment', '--yes')).code).toBe(0);
      const env = parse(await readFile(envPath));
      expect(env).toMatchObject({ CHROMA_HOST: 'api.trychroma.com', CHROMA_PORT: '443' });
      expect(env.CHROMA_SSL).toBeUndefined();
      expect(await readFile(envPath, 'utf8')).toContain('# CHROMA_SSL=true');
    });

    it('says what it did, and what to check, when the values from before the migration are not known', async () => {
      await writeFile(envPath, ORIGINAL);
      await setTo('https://chroma.example.com:8443', 'srv-tok-5f4e3d2c1b0a');
      await rm(join(dir, (await backupNames())[0] as string));
      const gone = await run('rollback', '--dotenv', envPath, '--yes');
      expect(gone.code, gone.stderr).toBe(0);
      expect(gone.stderr).toMatch(/not known \(the backup kept before the migration's first env set, .* cannot be read\), so they are removed rather than put back/);
      expect(gone.stderr).toMatch(/If the app read CHROMA_HOST, CHROMA_PORT or CHROMA_SSL before the migration, check them: chroma-migrate rollback --list --dotenv/);
      expect(parse(await readFile(envPath)).CHROMA_HOST).toBeUndefined();
      // No state at all (another folder's, say): the same words, with that reason.
      await writeFile(envPath, `${CLOUD}\nCHROMA_HOST=h\n`);
      const noRecord = await runCli(['rollback', '--dotenv', envPath, '--yes']);
      expect(noRecord.stderr).toContain('the migration state has no record of this file before its first env set');
    });
  });

  it('--comment keeps the lines as comments; the Cloud keys still read', async () => {
    await writeFile(envPath, `${CLOUD}\r\nCHROMA_HOST=h\r\nCHROMA_PORT=8000\r\n`);
    const result = await runCli(['rollback', '--dotenv', envPath, '--comment', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(envPath, 'utf8')).toBe(`${CLOUD}\r\n# CHROMA_HOST=h\r\n# CHROMA_PORT=8000\r\n`);
    expect(parse(await readFile(envPath))).toEqual(parse(CLOUD));
  });

  it('--restore puts back the exact bytes of the backup, after backing up the current file', async () => {
    // Bytes no editor would keep: CRLF, a lone CR, a tab, no final newline.
    const old = Buffer.from('A=1\r\nB="x\ry"\r\n# café\t\r\n\r\nexport C=3');
    const backup = await saveBackup(envPath, old, new Date('2026-11-20T08:00:00Z'));
    const current = 'CHROMA_HOST=now\n';
    await writeFile(envPath, current, { mode: 0o640 });
    await chmod(envPath, 0o640);
    const result = await runCli(['rollback', '--dotenv', envPath, '--restore', backup, '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect((await readFile(envPath)).equals(old)).toBe(true);
    expect((await stat(envPath)).mode & 0o777).toBe(0o640);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ action: 'restore', restoredFrom: backup, written: true });
    expect(await readFile(json.backup, 'utf8')).toBe(current);
    expect((await stat(json.backup)).mode & 0o777).toBe(0o600);
    expect(result.stderr).toContain('(saved 2026-11-20 08:00:00 UTC)');
  });

  it('--restore refuses a file that is not a .env (binary, not UTF-8, not KEY=value lines), changing nothing', async () => {
    await writeFile(envPath, CLOUD);
    const files: [string, Buffer, RegExp][] = [
      ['backup.gz', gzipSync(Buffer.from('CHROMA_HOST=h\n'.repeat(5000))), /holds binary bytes/],
      ['passwd', Buffer.from('root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n'), /line 1 is not KEY=value, a comment or blank/],
      ['latin1.env', Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\nA=1\n')]), /not UTF-8 text/],
      ['notes.env', Buffer.from('A=1\n\nsome words here\n'), /line 3 is not KEY=value/],
    ];
    for (const [name, bytes, why] of files) {
      await writeFile(join(dir, name), bytes);
      const result = await runCli(['rollback', '--dotenv', envPath, '--restore', join(dir, name), '--yes']);
      expect(result.code, name).toBe(1);
      expect(result.stderr).toContain(`${join(dir, name)} is not a .env file`);
      expect(result.stderr).toMatch(why);
      expect(result.stderr).toContain('rollback --list');
      expect(await readFile(envPath, 'utf8')).toBe(CLOUD);
      expect(await backupNames()).toEqual([]);
    }
    // A multi-line quoted value, comments and blank lines are all a .env may hold.
    await writeFile(join(dir, 'good.env'), '# a\n\nKEY="one\ntwo"\n  # indented\nexport B=2 # why\n');
    expect((await runCli(['rollback', '--dotenv', envPath, '--restore', join(dir, 'good.env'), '--yes'])).code).toBe(0);
    expect(await backupNames()).toHaveLength(1);
  });

  it('--restore takes a bare backup name (as --list shows it) or "latest"', async () => {
    await writeFile(envPath, CLOUD);
    await setUrl();
    const [first] = await backupNames();
    await setUrl('--token', 'another-token-123456');
    const byName = await runCli(['rollback', '--dotenv', envPath, '--restore', first as string, '--yes']);
    expect(byName.code, byName.stderr).toBe(0);
    expect(await readFile(envPath, 'utf8')).toBe(CLOUD);
    const latest = await runCli(['rollback', '--dotenv', envPath, '--restore', 'latest', '--yes']);
    expect(latest.code, latest.stderr).toBe(0);
    expect(parse(await readFile(envPath)).CHROMA_AUTH_TOKEN).toBe('another-token-123456');
  });

  it('--list shows the backups with their dates, newest first', async () => {
    await saveBackup(envPath, Buffer.from('A=1\n'), new Date('2026-11-20T08:00:00Z'));
    await saveBackup(envPath, Buffer.from('A=2\n'), new Date('2026-11-25T10:49:07Z'));
    await saveBackup(envPath, Buffer.from('A=3\n'), new Date('2026-11-25T10:49:07Z'));
    await writeFile(join(dir, '.env.backup-notes.txt'), 'not a backup');
    // Dates come from the names: copying the files (new mtimes) does not reorder them.
    await utimes(join(dir, '.env.backup-2026-11-20T08-00-00Z'), new Date(), new Date());
    const result = await runCli(['rollback', '--dotenv', envPath, '--list']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(1, 4)).toEqual([
      `  2026-11-25 10:49:07 UTC  ${envPath}.backup-2026-11-25T10-49-07Z-1  (4 bytes)`,
      `  2026-11-25 10:49:07 UTC  ${envPath}.backup-2026-11-25T10-49-07Z  (4 bytes)`,
      `  2026-11-20 08:00:00 UTC  ${envPath}.backup-2026-11-20T08-00-00Z  (4 bytes)`,
    ]);
    const json = JSON.parse((await runCli(['rollback', '--dotenv', envPath, '--list', '--json'])).stdout);
    expect(json.backups.map((backup: { date: string }) => backup.date)).toEqual(['2026-11-25T10:49:07.000Z', '2026-11-25T10:49:07.000Z', '2026-11-20T08:00:00.000Z']);
    expect((await listBackups(join(dir, 'nowhere', '.env')))).toEqual([]);
  });

  it('without a terminal and without --yes: exit 2 naming --yes, file and folder untouched', async () => {
    await writeFile(envPath, `${CLOUD}\nCHROMA_HOST=h\n`);
    for (const args of [[], ['--comment'], ['--restore', 'latest']]) {
      if (args[0] === '--restore') await saveBackup(envPath, Buffer.from(CLOUD));
      const before = await backupNames();
      const result = await runCli(['rollback', '--dotenv', envPath, ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('--yes');
      expect(await readFile(envPath, 'utf8')).toBe(`${CLOUD}\nCHROMA_HOST=h\n`);
      expect(await backupNames()).toEqual(before);
    }
  });

  it('says so, and changes nothing, when there is nothing to roll back', async () => {
    await writeFile(envPath, CLOUD);
    const result = await runCli(['rollback', '--dotenv', envPath]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/already uses Chroma Cloud/);
    expect(await backupNames()).toEqual([]);
  });

  it('warns when the Cloud fallback is missing or the shell overrides the file', async () => {
    await writeFile(envPath, 'CHROMA_HOST=h\n');
    const result = await runCli(['rollback', '--dotenv', envPath, '--dry-run'], { CHROMA_HOST: 'x' });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/has no CHROMA_API_KEY/);
    expect(result.stderr).toMatch(/CHROMA_HOST is also set in this shell's environment/);
    expect(await readFile(envPath, 'utf8')).toBe('CHROMA_HOST=h\n');
  });

  it('errors: a missing .env, a missing backup, a read-only file, conflicting actions', async () => {
    expect(await runCli(['rollback', '--dotenv', envPath, '--yes'])).toMatchObject({ code: 1, stderr: expect.stringContaining(`There is no ${envPath} to roll back`) });
    expect(await runCli(['rollback', '--dotenv', envPath, '--restore', 'latest', '--yes'])).toMatchObject({ code: 1, stderr: expect.stringContaining('no backups') });
    expect(await runCli(['rollback', '--dotenv', envPath, '--restore', join(dir, 'nope'), '--yes'])).toMatchObject({ code: 1, stderr: expect.stringContaining('rollback --list') });
    expect(await runCli(['rollback', '--list', '--restore', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('pick one') });
    await writeFile(envPath, 'CHROMA_HOST=h\n');
    await chmod(envPath, 0o444);
    const readOnly = await runCli(['rollback', '--dotenv', envPath, '--yes']);
    expect(readOnly).toMatchObject({ code: 1, stderr: expect.stringContaining('the file is read-only') });
    expect(await readFile(envPath, 'utf8')).toBe('CHROMA_HOST=h\n');
    expect(await backupNames()).toEqual([]);
  });
});
