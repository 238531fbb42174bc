import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { emptyState } from '../../src/core/state/store.js';
import type { MigrationState, RunRecord } from '../../src/core/state/schema.js';
import { commandText, resumableLines, resumeLines, typedArgs, withFlagValue } from '../../src/present/resume-command.js';
import { pruneLines, sendAgainLines, verifySourceLines } from '../../src/present/send-again.js';
import { backupReport } from '../../src/present/reports/backup-report.js';
import { shellWord } from '../../src/core/util/format.js';

const shape = {
  long: (short: string) => ({ o: 'out', i: 'input', t: 'token' })[short],
  takesValue: (name: string) => ['out', 'input', 'token', 'source-token', 'api-key', 'url', 'source-url', 'endpoint', 'as', 'dotenv', 'token-header'].includes(name),
};

/** What bash makes of a printed command: its words, as the program would receive them. */
function bashWords(command: string): string[] {
  const out = execFileSync('bash', ['-c', `printf '%s\\0' ${command}`], { encoding: 'utf8', env: { HOME: '/home/someone', PATH: process.env.PATH } });
  return out.split('\0').slice(0, -1);
}

describe('the command as typed', () => {
  it('leaves out every secret and its value, in each spelling, and names the flags it left out', () => {
    const typed = typedArgs(['--url', 'http://h:8000', '--token', 's3cret', '--source-token=abc', '-t', 'xyz', '--api-key', 'ck-1', '--token-header', 'x-chroma-token', '-o', 'b.jsonl.gz'], shape, '/work/app');
    expect(typed.args).toEqual(['--url', 'http://h:8000', '--token-header', 'x-chroma-token', '-o', 'b.jsonl.gz']);
    expect(typed.withheld).toEqual(['--token', '--source-token', '-t', '--api-key']);
    expect(typed.files).toEqual(['/work/app/b.jsonl.gz']);
    expect(JSON.stringify(typed)).not.toMatch(/s3cret|abc|xyz|ck-1/);
  });

  it('leaves out the user:password of a URL, in each spelling, and says so', () => {
    const typed = typedArgs(['--url', 'http://admin:pa55@h:8000', '--source-url=https://u:p%40ss@cloud.example', '--as', 'x@y'], shape, '/work/app');
    expect(typed.args).toEqual(['--url', 'http://h:8000', '--source-url=https://cloud.example', '--as', 'x@y']);
    expect(typed.withheld).toEqual(['the user:password in --url', 'the user:password in --source-url']);
    expect(JSON.stringify(typed)).not.toMatch(/pa55|p%40ss|admin/);
  });

  it("masks the values of a URL's query and fragment, in each spelling, and says so", () => {
    const typed = typedArgs(['--source-url', 'http://h/?token=URL-SECRET-4&x=1', '--url=http://h:8000/p?k=SECRET-2', '--endpoint', 'localhost:8080/v1?SECRET-3#SECRET-5', '--out', 'b?.jsonl'], shape, '/work/app');
    expect(typed.args).toEqual(['--source-url', 'http://h/?token=…&x=…', '--url=http://h:8000/p?k=…', '--endpoint', 'localhost:8080/v1?…#…', '--out', 'b?.jsonl']);
    expect(typed.withheld).toEqual(['the query in --source-url', 'the query in --url', 'the query in --endpoint']);
    expect(JSON.stringify(typed)).not.toMatch(/SECRET/);
  });

  it('quotes what the shell would change, so the words come back as typed', () => {
    const args = ['--out', "/tmp/my backups/it's ~here.jsonl.gz", '--as', 'x', '--collections', 'a,b', '--url', 'http://localhost:8010', '--input', '~/nc_test_backup.json', '--dotenv', '$HOME/.env'];
    const text = commandText('copy', args);
    expect(text.startsWith('chroma-migrate copy --out ')).toBe(true);
    expect(bashWords(text)).toEqual(['chroma-migrate', 'copy', ...args]);
  });

  it('keeps a newline or an escape sequence in a path from splitting or redrawing the printed command', () => {
    const args = ['--out', '/tmp/a\nchroma-migrate rollback --yes\n.jsonl.gz', '--as', 'x\u001b[2K\r$ fake'];
    const text = commandText('copy', args);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(bashWords(text)).toEqual(['chroma-migrate', 'copy', ...args]);
    const [line] = resumeLines({ command: 'copy', args, cwd: '/work/new\nline', withheld: [] }, '/elsewhere');
    expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(line!.startsWith("cd $'/work/new\\nline' && chroma-migrate copy")).toBe(true);
  });

  it('goes to the run\'s folder first when status is read from another', () => {
    const run = { command: 'import', args: ['--input', 'b.json'], cwd: '/work/my app', withheld: ['--token'] };
    expect(resumeLines(run, '/work/my app')[0]).toBe('chroma-migrate import --input b.json');
    const [line, note] = resumeLines(run, '/elsewhere');
    expect(line).toBe("cd '/work/my app' && chroma-migrate import --input b.json");
    expect(note).toContain('--token was left out; set CHROMA_AUTH_TOKEN');
  });
});

describe('status: what can be continued', () => {
  const run = (over: Partial<RunRecord>): RunRecord => ({ id: '1', command: 'copy', args: [], withheld: [], cwd: '/w', files: [], startedAt: '2026-12-04T16:05:00.000Z', outcome: 'interrupted', ...over });
  const state = (over: Partial<MigrationState>): MigrationState => ({ ...emptyState(new Date(0)), ...over });
  const importCheckpoint = { backup: '/w/b.jsonl.gz', fingerprint: 'f', target: 'http://localhost:8010/default_tenant/default_database', collection: 'docs2', sourceCollection: 'docs', batchSize: 100, committed: 600, total: 1_177, done: false, updatedAt: '' };

  it('a copy shows one line with the copy that continues it, the newest run of that file winning', () => {
    const lines = resumableLines(
      state({
        imports: [importCheckpoint],
        runs: [
          run({ id: 'old', args: ['--out', 'b.jsonl.gz'], files: ['/w/b.jsonl.gz'] }),
          run({ id: 'new', args: ['--out', 'b.jsonl.gz', '--as', 'docs2'], files: ['/w/b.jsonl.gz'] }),
          run({ id: 'other', command: 'export', args: ['--out', 'c.jsonl.gz'], files: ['/w/c.jsonl.gz'], outcome: 'done' }),
        ],
      }),
      '/w',
    );
    expect(lines).toEqual([
      'Can be continued:',
      '  copy (interrupted 2026-12-04 16:05 UTC): "docs2" at 600 of 1,177 records on the target',
      '    chroma-migrate copy --out b.jsonl.gz --as docs2',
    ]);
  });

  it('a checkpoint no run names (an older state) still gets words, and an import its command rebuilt', () => {
    const lines = resumableLines(state({ imports: [{ ...importCheckpoint, backup: '/nonexistent/b.jsonl.gz' }, { ...importCheckpoint, backup: __filename }] }), '/w');
    expect(lines[1]).toMatch(/^ {2}Copy into "docs2" at 600 of 1,177 records: run the copy that writes \/nonexistent\/b.jsonl.gz again/);
    // The clone may sit in a folder whose name needs quoting (a space): the command quotes it as the shell must read it.
    expect(lines[3]).toBe(`    chroma-migrate import --input ${shellWord(__filename)} --collection docs --as docs2 --url http://localhost:8010`);
  });

  it("an import into another tenant and database is continued there: its checkpoint's place, as flags", () => {
    const elsewhere = { ...importCheckpoint, backup: __filename, sourceCollection: 'docs2', target: 'http://localhost:8010/team_b/staging' };
    expect(resumableLines(state({ imports: [elsewhere] }), '/w').at(-1)).toBe(`    chroma-migrate import --input ${shellWord(__filename)} --url http://localhost:8010 --target-tenant team_b --target-database staging`);
  });

  it('the collections of one import (the wizard\'s) go on with one command, printed once', () => {
    const of = (collection: string, committed: number, total: number) => ({ ...importCheckpoint, backup: __filename, collection, sourceCollection: collection, committed, total });
    const lines = resumableLines(state({ imports: [of('alpha', 2_000, 30_000), of('gamma', 2_000, 20_000), { ...of('beta', 2_000, 25_000), done: true }, of('beta', 1_000, 25_000)] }), '/w');
    const command = `    chroma-migrate import --input ${shellWord(__filename)} --url http://localhost:8010`;
    expect(lines).toEqual(['Can be continued:', '  Import of "alpha" at 2,000 of 30,000 records, "gamma" at 2,000 of 20,000 records, "beta" at 1,000 of 25,000 records:', command]);
    // One imported under another name is continued by another command: its own entry.
    const renamed = resumableLines(state({ imports: [of('alpha', 2_000, 30_000), { ...of('docs2', 600, 1_177), sourceCollection: 'docs' }] }), '/w');
    expect(renamed.filter((line) => line.startsWith('    chroma-migrate import'))).toHaveLength(2);
    const copies = resumableLines(state({ imports: [{ ...of('a', 1, 2), backup: '/nonexistent/b.jsonl.gz' }, { ...of('b', 3, 4), backup: '/nonexistent/b.jsonl.gz' }] }), '/w');
    expect(copies).toEqual(['Can be continued:', '  Copy into "a" at 1 of 2 records, "b" at 3 of 4 records: run the copy that writes /nonexistent/b.jsonl.gz again, with the same flags (or chroma-migrate, if the wizard started it).']);
  });

  it('a run interrupted before its first checkpoint: the command that starts it again', () => {
    const lines = resumableLines(state({ runs: [run({ command: 'export', args: ['--out', 'b.jsonl.gz'], files: ['/w/b.jsonl.gz'], endedAt: '2026-12-04T16:06:00.000Z' })] }), '/w');
    expect(lines).toEqual([
      'Can be continued:',
      '  export (interrupted 2026-12-04 16:06 UTC): interrupted before any record was written — run again:',
      '    chroma-migrate export --out b.jsonl.gz',
    ]);
  });

  it('an interrupted run with nothing written is not offered once a newer run of its file, or a checkpoint since, took over', () => {
    const empty = run({ id: 'empty', command: 'export', args: ['--out', 'b.jsonl.gz'], files: ['/w/b.jsonl.gz'] });
    const later = run({ id: 'later', command: 'export', args: ['--out', 'b.jsonl.gz', '--all'], files: ['/w/b.jsonl.gz'], startedAt: '2026-12-04T16:10:00.000Z', outcome: 'done' });
    expect(resumableLines(state({ runs: [empty, later] }), '/w')).toEqual([]);
    const exportCheckpoint = { out: '/w/b.jsonl.gz', partial: '/w/b.jsonl.gz.partial', source: 'http://s:1/default_tenant/default_database', collections: ['big'], finished: [], current: null, bytes: 0, done: true, updatedAt: '2026-12-04T16:05:30.000Z' };
    expect(resumableLines(state({ runs: [empty], exports: [exportCheckpoint] }), '/w')).toEqual([]);
    expect(resumableLines(state({ runs: [run({ outcome: 'failed', files: ['/w/b.jsonl.gz'] })] }), '/w')).toEqual([]);
  });

  it('--all-databases: the checkpoint of one database\'s part is the run\'s, and its command continues it', () => {
    const part = { out: '/w/b.jsonl.gz.databases/db2.jsonl.gz', partial: '/w/b.jsonl.gz.databases/db2.jsonl.gz.partial', source: 'http://s:1/default_tenant/db2', collections: ['big'], finished: [], current: { name: 'big', offset: 300, total: 1_000 }, bytes: 10, done: false, updatedAt: '' };
    const lines = resumableLines(state({ exports: [part], runs: [run({ command: 'export', args: ['--all-databases', '--out', 'b.jsonl.gz'], files: ['/w/b.jsonl.gz'] })] }), '/elsewhere');
    expect(lines).toEqual([
      'Can be continued:',
      '  export (interrupted 2026-12-04 16:05 UTC): 0 of 1 collections of database db2 in /w/b.jsonl.gz.databases/db2.jsonl.gz, "big" at 300 of 1,000 records',
      '    cd /w && chroma-migrate export --all-databases --out b.jsonl.gz',
    ]);
    const copied = { ...importCheckpoint, backup: '/w/b.jsonl.gz.databases/db2.jsonl.gz', target: 'http://t:2/default_tenant/db2' };
    const copy = resumableLines(state({ imports: [copied], exports: [part], runs: [run({ args: ['--all-databases', '--out', 'b.jsonl.gz'], files: ['/w/b.jsonl.gz'] })] }), '/w');
    expect(copy.slice(1)).toEqual(['  copy (interrupted 2026-12-04 16:05 UTC): "docs2" of database db2 at 600 of 1,177 records on the target', '    chroma-migrate copy --all-databases --out b.jsonl.gz']);
  });

  it('nothing unfinished: nothing said', () => {
    expect(resumableLines(state({ runs: [run({ files: ['/w/b.jsonl.gz'], outcome: 'done' })] }), '/w')).toEqual([]);
  });
});

describe('the command that sends missing records', () => {
  it('from a backup: the import with the same name and target, appending', () => {
    const [line] = sendAgainLines({ input: 'b.json', as: 'not_there', collection: 'docs', url: 'http://localhost:8010', 'env-file': 'my.env' }, 'b.json');
    expect(line).toBe('chroma-migrate import --input b.json --collection docs --as not_there --url http://localhost:8010 --dotenv my.env --if-exists append');
  });

  it('from the source: a sync, and where the withheld key comes from', () => {
    const lines = sendAgainLines({ 'source-url': 'http://s:1', 'source-token': 'T', as: 'x', collections: 'docs', url: 'http://t:2' }, undefined);
    expect(lines[0]).toBe('chroma-migrate sync --source-url http://s:1 --collections docs --as x --url http://t:2');
    expect(lines[1]).toContain('CHROMA_SOURCE_TOKEN');
  });

  it('the verify against the source now: the collections read earlier, or every one for a copy of --all', () => {
    const values = { 'source-url': 'http://s:1', all: true, url: 'http://t:2' };
    expect(verifySourceLines(values, ['a', 'b'], 'default_database')[0]).toBe('chroma-migrate verify --source-url http://s:1 --collections a,b --url http://t:2');
    expect(verifySourceLines(values, 'all', 'default_database')[0]).toBe('chroma-migrate verify --source-url http://s:1 --url http://t:2');
  });

  it("never prints an address's user:password or its query's values", () => {
    const lines = sendAgainLines({ 'source-url': 'http://s:1/?token=URL-SECRET-4', collections: 'docs', url: 'http://admin:pa55@t:2' }, undefined);
    expect(lines[0]).toBe("chroma-migrate sync --source-url 'http://s:1/?token=…' --collections docs --url http://t:2");
  });

  it('what the source no longer holds: a sync with --prune, none for a copy of every database', () => {
    expect(pruneLines({ 'api-key': 'K', tenant: 't', database: 'd', collections: 'docs', url: 'http://t:2' })[0]).toBe('chroma-migrate sync --tenant t --database d --collections docs --prune --url http://t:2');
    expect(pruneLines({ 'all-databases': true, url: 'http://t:2' })).toEqual([]);
  });
});

describe("a backup's restore line", () => {
  it('names the server the backup was read from, and its database when not the default', () => {
    const result = { file: '/backups/my server/chroma-backup-1.jsonl.gz', bytes: 1, collections: [{ name: 'docs', count: 3 }], resumed: false, removed: [], kept: [], heldMore: [], others: [], shrank: false };
    expect(backupReport(result, undefined, { url: 'https://chroma.example.com', database: 'default_database' }).at(-1)).toBe(
      "Restore with: chroma-migrate import --input '/backups/my server/chroma-backup-1.jsonl.gz' --url https://chroma.example.com",
    );
    expect(backupReport(result, undefined, { url: 'http://localhost:8000', database: 'prod' }).at(-1)).toMatch(/--url http:\/\/localhost:8000 --target-database prod$/);
    expect(backupReport(result, undefined, { url: 'http://localhost:8000', tenant: 'team_b', database: 'default_database' }).at(-1)).toMatch(/--url http:\/\/localhost:8000 --target-tenant team_b$/);
  });

  it('a backup continued after an interruption says its collections may be of two moments', () => {
    const base = { file: 'b.jsonl.gz', bytes: 1, collections: [{ name: 'docs', count: 3 }], removed: [], kept: [], heldMore: [], others: [], shrank: false };
    const moments = (resumed: boolean) => backupReport({ ...base, resumed }, undefined, { url: 'http://h:1', database: 'default_database' }).some((line) => line.includes('as the server held them then'));
    expect(moments(true)).toBe(true);
    expect(moments(false)).toBe(false);
  });
});

describe('a printed command with one flag set', () => {
  it('replaces the value typed for the flag, or adds the flag', () => {
    const typed = commandText('embeddings reembed', ['--collections', 'docs', '--as', 'docs_v2', '--if-exists', 'append', '--yes']);
    expect(withFlagValue(typed, '--if-exists', 'recreate')).toBe('chroma-migrate embeddings reembed --collections docs --as docs_v2 --yes --if-exists recreate');
    expect(withFlagValue(commandText('embeddings reembed', ['--if-exists=ask']), '--if-exists', 'recreate')).toBe('chroma-migrate embeddings reembed --if-exists recreate');
    expect(withFlagValue(commandText('embeddings reembed', ['--as', 'x']), '--if-exists', 'recreate')).toBe('chroma-migrate embeddings reembed --as x --if-exists recreate');
  });
});
