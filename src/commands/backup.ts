import { resolve, sep } from 'node:path';
import { BACKUP_STATE_FILE, cronLine, runBackup } from '../core/schedule/run-backup.js';
import { describeEndpoint } from '../core/chroma/endpoint.js';
import { MigrateError } from '../core/util/errors.js';
import { backupReport } from '../present/reports/backup-report.js';
import { intOption } from '../cli/args.js';
import { EXIT } from '../cli/command.js';
import { CONNECTION_GROUPS, TARGET_FLAGS } from '../cli/connection-flags.js';
import { defineCommand } from '../cli/define-command.js';
import type { CommandContext } from '../cli/context.js';

const FLAGS = {
  dir: { type: 'string', short: 'd', arg: 'DIR', help: 'where backups go (created if missing)', required: 'where to keep the backups' },
  keep: { type: 'string', arg: 'N', help: 'keep the newest N backups, delete older ones (default: keep all)' },
  'print-cron': {
    type: 'boolean',
    help: "print a crontab line that runs this backup weekly (Sundays 03:00) from the current folder, logging to DIR/backup.log, and exit; it calls this installation by absolute path (node included), as cron's bare PATH finds neither npx nor nvm's node",
  },
  'page-size': { type: 'string', arg: 'N', help: 'records per read (default: 1000 at 384-d, fewer at higher dimensions)' },
  concurrency: { type: 'string', arg: 'N', help: 'reads in flight (default 4)' },
  json: { type: 'boolean', help: 'print the result as JSON on stdout' },
  ...TARGET_FLAGS,
} as const;

export const backupCommand = defineCommand({
  name: 'backup',
  summary: 'Back up every collection of the self-hosted server to a timestamped file, keeping the newest N',
  usage: ['--dir DIR [--keep N] [--print-cron] [options]'],
  description: `Exports every collection of the target (the self-hosted server), in every database of its
tenant that holds one, to DIR/chroma-backup-YYYY-MM-DDTHH-MM-SSZ.jsonl.gz with the same engine as
export (several databases go into one file, as export --all-databases writes it, and import
recreates each of them), reads the finished
file back to check it is whole and holds what was exported, and then, with --keep N, deletes all but
the newest N of those files taken from the same server, tenant and database (each file's header
says where it was taken). An older one holding more collections or records than the new one is
kept and named, and when the new one holds far less (fewer collections, or under half the records:
what a server redeployed without its volume looks like) the run exits 1. Nothing else in DIR is
ever deleted. An interrupted backup continues on
the next run (its checkpoint is DIR/${BACKUP_STATE_FILE}; the migration state is not touched).`,
  flags: FLAGS,
  groups: CONNECTION_GROUPS,
  notes: 'Restore one with: chroma-migrate import --input DIR/chroma-backup-….jsonl.gz --url URL',
  examples: [
    { what: 'back up the server in .env, keeping the last 8', run: 'chroma-migrate backup --dir backups --keep 8' },
    { what: 'the crontab line for a weekly run', run: 'chroma-migrate backup --dir backups --keep 8 --print-cron' },
  ],
  exitCodes: '0 backup written and checked, 1 failed, or written but the server holds far less than a backup kept, 2 usage, 130 interrupted (resumable).',

  async run(context) {
    const { values, io, json, target, reporter, say, writeJson } = context;
    if (values.state !== undefined) throw new MigrateError('USAGE', `backup keeps its own checkpoint in DIR/${BACKUP_STATE_FILE}; --state does not apply.`);
    const keep = intOption('keep', values.keep, { max: 10_000 });
    const { target: endpoint, notes } = target();
    if (values['print-cron']) return printCron(context, endpoint.url, keep);
    for (const note of notes) reporter().listener({ type: 'warning', message: note });
    reporter().listener({ type: 'phase', message: `Backing up ${describeEndpoint(endpoint)}` });
    const result = await runBackup({
      source: endpoint,
      dir: values.dir,
      keep,
      pageSize: intOption('page-size', values['page-size'], { max: 5_000 }),
      concurrency: intOption('concurrency', values.concurrency, { max: 16 }),
      signal: io.signal,
      onProgress: reporter().listener,
    });
    reporter().close();
    if (json) writeJson({ ok: !result.shrank, ...result });
    else say(backupReport(result, keep, endpoint).join('\n'));
    // The backup is written and checked either way; a server far smaller than its kept backup fails the run so that a scheduler reports it.
    return result.shrank ? EXIT.failed : EXIT.ok;
  },
});

function printCron({ values, io, say }: CommandContext<typeof FLAGS>, url: string, keep: number | undefined): number {
  const flags: string[] = [];
  // cron has none of the shell's variables: a target given by flag must be spelled out; .env is read from the folder.
  if (values.url !== undefined || values.host !== undefined) flags.push('--url', url);
  if (values['token-header'] !== undefined) flags.push('--token-header', values['token-header']);
  if (values['target-tenant'] !== undefined) flags.push('--target-tenant', values['target-tenant']);
  if (values['target-database'] !== undefined) flags.push('--target-database', values['target-database']);
  if (values['env-file'] !== undefined) flags.push('--dotenv', resolve(values['env-file']));
  const program = io.program ?? { node: process.execPath, script: resolve(process.argv[1] ?? '.') };
  io.stdout.write(`${cronLine({ cwd: process.cwd(), dir: values.dir, keep, flags, ...program })}\n`);
  if (program.script.includes(`${sep}_npx${sep}`)) {
    say("! This copy of chroma-migrate runs from npx's cache, which npm may clear: install it (from a clone: npm install -g /path/to/chroma-migrate; see the README) and print the line again.");
  }
  if (values.token !== undefined) say('! The token is not written into the crontab (anyone who can read it would see it): put CHROMA_AUTH_TOKEN in .env in this folder.');
  say('Add it with: crontab -e (paste the line), then check it with: crontab -l');
  return EXIT.ok;
}
