import { resolve, sep } from 'node:path';
import { BACKUP_STATE_FILE, cronLine, runBackup, type BackupResult } from '../core/schedule/run-backup.js';
import { describeEndpoint, type Endpoint } from '../core/chroma/endpoint.js';
import { intOption, parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';
import { envFor, TARGET_HELP, TARGET_OPTIONS, targetFrom } from '../cli/connection-flags.js';
import type { CommandIo } from '../cli/io.js';
import { createReporter, number } from '../cli/reporter.js';

const OPTIONS = {
  dir: { type: 'string', short: 'd' },
  keep: { type: 'string' },
  'print-cron': { type: 'boolean' },
  'page-size': { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean' },
  ...TARGET_OPTIONS,
} as const;

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Back up every collection of the self-hosted server to a timestamped file, keeping the newest N',
  help: `Usage: chroma-migrate backup --dir DIR [--keep N] [--print-cron] [options]

Exports every collection of the target (the self-hosted server) to
DIR/chroma-backup-YYYY-MM-DDTHH-MM-SSZ.jsonl.gz with the same engine as export, reads the
finished file back to check it is whole and holds what was exported, and then, with --keep N,
deletes all but the newest N of those files. Nothing else in DIR is ever deleted. An
interrupted backup continues on the next run (its checkpoint is DIR/${BACKUP_STATE_FILE};
the migration state is not touched).

Restore one with: chroma-migrate import --input DIR/chroma-backup-….jsonl.gz

  --dir DIR             where backups go (created if missing)
  --keep N              keep the newest N backups, delete older ones (default: keep all)
  --print-cron          print a crontab line that runs this backup weekly (Sundays 03:00)
                        from the current folder, logging to DIR/backup.log, and exit; it
                        calls this installation by absolute path (node included), as
                        cron's bare PATH finds neither npx nor nvm's node
  --page-size N         records per read (default 1000)
  --concurrency N       reads in flight (default 4)
  --json                print the result as JSON on stdout

${TARGET_HELP}

Exit codes: 0 backup written and checked, 1 failed, 2 usage, 130 interrupted (resumable).`,

  async run(args, io) {
    const { values } = parseCommandArgs('backup', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    if (!values.dir) {
      io.stderr.write('backup needs --dir DIR (where to keep the backups).\nSee chroma-migrate backup --help.\n');
      return EXIT.usage;
    }
    if (values.state !== undefined) {
      io.stderr.write(`backup keeps its own checkpoint in DIR/${BACKUP_STATE_FILE}; --state does not apply.\n`);
      return EXIT.usage;
    }
    const keep = intOption('keep', values.keep, { max: 10_000 });
    const env = envFor(values, io.env);
    const { target, notes } = targetFrom(values, env);
    if (values['print-cron']) return printCron(values, target, keep, io);

    const reporter = createReporter(io, { live: io.stderr.isTTY === true && !values.json });
    for (const note of notes) reporter.listener({ type: 'warning', message: note });
    reporter.listener({ type: 'phase', message: `Backing up ${describeEndpoint(target)}` });
    try {
      const result = await runBackup({
        source: target,
        dir: values.dir,
        keep,
        pageSize: intOption('page-size', values['page-size'], { max: 5_000 }),
        concurrency: intOption('concurrency', values.concurrency, { max: 16 }),
        signal: io.signal,
        onProgress: reporter.listener,
      });
      reporter.close();
      if (values.json) writeJson(io, { ok: true, ...result });
      else report(result, keep, io);
      return EXIT.ok;
    } finally {
      reporter.close();
    }
  },
};

function report(result: BackupResult, keep: number | undefined, io: CommandIo): void {
  const records = result.collections.reduce((sum, entry) => sum + entry.count, 0);
  const lines = [
    `✓ Backup ${result.file} (${(result.bytes / 1024 / 1024).toFixed(1)} MB): ${result.collections.length} collection${result.collections.length === 1 ? '' : 's'}, ${number(records)} records, checked${result.resumed ? ' (continued an interrupted backup)' : ''}`,
    ...result.collections.map((entry) => `  ${entry.name}: ${number(entry.count)} records`),
  ];
  if (keep !== undefined) {
    lines.push(`Keeping the newest ${keep}: ${result.kept.length} backup${result.kept.length === 1 ? '' : 's'} in the folder${result.removed.length > 0 ? `, removed ${result.removed.join(', ')}` : ''}`);
  }
  lines.push(`Restore with: chroma-migrate import --input ${result.file}`);
  io.stderr.write(`${lines.join('\n')}\n`);
}

function printCron(
  values: { dir?: string; url?: string; host?: string; token?: string; 'token-header'?: string; 'env-file'?: string },
  target: Endpoint,
  keep: number | undefined,
  io: CommandIo,
): number {
  const flags: string[] = [];
  // cron has none of the shell's variables: a target given by flag must be spelled out; .env is read from the folder.
  if (values.url !== undefined || values.host !== undefined) flags.push('--url', target.url);
  if (values['token-header'] !== undefined) flags.push('--token-header', values['token-header']);
  if (values['env-file'] !== undefined) flags.push('--dotenv', resolve(values['env-file']));
  const program = io.program ?? { node: process.execPath, script: resolve(process.argv[1] ?? '.') };
  io.stdout.write(`${cronLine({ cwd: process.cwd(), dir: values.dir ?? '.', keep, flags, ...program })}\n`);
  if (program.script.includes(`${sep}_npx${sep}`)) {
    io.stderr.write("! This copy of chroma-migrate runs from npx's cache, which npm may clear: install it (from a clone: npm install -g /path/to/chroma-migrate; see the README) and print the line again.\n");
  }
  if (values.token !== undefined) {
    io.stderr.write('! The token is not written into the crontab (anyone who can read it would see it): put CHROMA_AUTH_TOKEN in .env in this folder.\n');
  }
  io.stderr.write('Add it with: crontab -e (paste the line), then check it with: crontab -l\n');
  return EXIT.ok;
}
