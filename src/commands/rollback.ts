import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'dotenv';
import { MigrateError } from '../core/util/errors.js';
import { listBackups, saveBackup, type EnvBackup } from '../core/env-file/backups.js';
import { SELF_HOSTED_KEYS } from '../core/env-file/chroma-keys.js';
import { diffEnv } from '../core/env-file/diff.js';
import { assertUnchanged, assertWritable, ioError, readEnvBytes, readEnvFile, writeEnvFile } from '../core/env-file/file.js';
import { planEnvPatch } from '../core/env-file/patch.js';
import { parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';
import { confirmChange, showChanges } from './env.js';
import type { CommandIo } from '../cli/io.js';

const OPTIONS = {
  restore: { type: 'string' },
  list: { type: 'boolean' },
  comment: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

interface Flags {
  path: string;
  yes: boolean | undefined;
  dryRun: boolean | undefined;
  json: boolean | undefined;
}

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Point your app back at Chroma Cloud, or restore a saved .env backup',
  help: `Usage: chroma-migrate rollback [--dotenv PATH] [--restore BACKUP | --list] [--comment] [--yes]

The rollback plan: your app's .env stops pointing at the self-hosted server, so the app falls
back to Chroma Cloud (CHROMA_API_KEY, CHROMA_TENANT, CHROMA_DATABASE). Only the .env file
changes: no Chroma data is touched, on either server. Shows what it will do and asks first;
the current file is saved as .env.backup-<time> before any change.

  (default)             remove CHROMA_HOST, CHROMA_PORT, CHROMA_SSL, CHROMA_AUTH_TOKEN
                        (and CHROMA_AUTH_TOKEN_TRANSPORT_HEADER)
  --comment             comment those lines out instead of removing them
  --restore BACKUP      put back a saved backup byte for byte ("latest" for the newest)
  --list                list the backups of the file, newest first
  --dotenv PATH         the file (default ./.env)
  --yes                 change the file without asking (needed when there is no terminal)
  --dry-run             only show the change
  --json                print the result as JSON on stdout (key names, never values)

Exit codes: 0 done or nothing to do, 1 failed or declined, 2 usage (or no terminal and no --yes).`,

  async run(args, io) {
    const { values } = parseCommandArgs('rollback', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    const actions = [values.restore !== undefined && '--restore', values.list && '--list', values.comment && '--comment'].filter(Boolean);
    if (actions.length > 1) {
      io.stderr.write(`${actions.join(' and ')} are different actions; pick one.\nSee chroma-migrate rollback --help.\n`);
      return EXIT.usage;
    }
    const flags: Flags = { path: resolve(values['env-file'] ?? '.env'), yes: values.yes, dryRun: values['dry-run'], json: values.json };
    if (values.list) return list(flags, io);
    if (values.restore !== undefined) return restore(values.restore, flags, io);
    return fallBackToCloud(values.comment === true, flags, io);
  },
};

async function fallBackToCloud(comment: boolean, flags: Flags, io: CommandIo): Promise<number> {
  const { path } = flags;
  const file = await readEnvFile(path);
  if (!file.exists) throw new MigrateError('NOT_FOUND', `There is no ${path} to roll back.`, "Pass --dotenv with the path of your app's .env.");
  const keys = [...SELF_HOSTED_KEYS];
  const plan = planEnvPatch(file.text, comment ? { set: {}, comment: keys } : { set: {}, remove: keys });
  const result = (backup: string | null, written: boolean) => ({ path, action: comment ? 'comment' : 'remove', backup, changed: plan.changes.map((change) => change.key), written });
  if (plan.changes.length === 0) {
    io.stderr.write(`✓ ${path} has no self-hosted Chroma settings; the app already uses Chroma Cloud.\n`);
    if (flags.json) writeJson(io, result(null, false));
    return EXIT.ok;
  }
  showChanges(io, `Rollback of ${path} (the app will use Chroma Cloud again):`, plan.changes, { commented: comment });
  if (parse(plan.text).CHROMA_API_KEY === undefined) io.stderr.write(`! ${path} has no CHROMA_API_KEY: without it the app has no Chroma Cloud to fall back to.\n`);
  if (io.env.CHROMA_HOST) io.stderr.write("! CHROMA_HOST is also set in this shell's environment, which wins over the .env file: unset it too.\n");
  io.stderr.write('  Chroma data is not touched: the self-hosted server keeps its collections.\n');
  return apply(flags, io, {
    question: `${comment ? 'Comment out' : 'Remove'} these settings in ${path}?`,
    what: `rollback would change ${path}`,
    file,
    data: plan.text,
    done: (backup) => `✓ Rolled back ${path}; the previous version is saved as ${backup}.\n  Undo: chroma-migrate rollback --restore ${backup}${envFileFlag(flags)}\n`,
    json: (backup, written) => result(backup, written),
  });
}

async function restore(choice: string, flags: Flags, io: CommandIo): Promise<number> {
  const { path } = flags;
  const backups = await listBackups(path);
  const source = choice === 'latest' ? backups[0]?.path : locateBackup(choice, path);
  if (source === undefined) throw new MigrateError('NOT_FOUND', `There are no backups of ${path} yet.`, 'Backups are made by chroma-migrate env set and rollback.');
  const bytes = await readFile(source).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MigrateError('NOT_FOUND', `There is no backup at ${source}.`, `chroma-migrate rollback --list${envFileFlag(flags)} shows the backups of ${path}.`);
    }
    throw ioError(error, `Could not read the backup ${source}`, `Check the permissions of ${source}.`);
  });
  const current = await readEnvBytes(path);
  const changes = diffEnv(current.exists ? parse(current.bytes) : {}, parse(bytes));
  const result = (backup: string | null, written: boolean) => ({ path, action: 'restore', restoredFrom: source, backup, changed: changes.map((change) => change.key), written });
  if (current.exists && current.bytes.equals(bytes)) {
    io.stderr.write(`✓ ${path} is already identical to ${source}; nothing to do.\n`);
    if (flags.json) writeJson(io, result(null, false));
    return EXIT.ok;
  }
  const taken = backups.find((backup) => backup.path === source);
  const title = `Restore ${path} from ${source}${taken ? ` (saved ${formatDate(taken.date)})` : ''}:`;
  if (changes.length > 0) showChanges(io, title, changes);
  else io.stderr.write(`${title}\n  the same settings; only comments or layout differ.\n`);
  return apply(flags, io, {
    question: `Restore ${path} from this backup?`,
    what: `rollback --restore would replace ${path}`,
    file: current,
    data: bytes,
    done: (backup) => `✓ Restored ${path} from ${source}${backup ? `; the version it replaced is saved as ${backup}` : ''}.\n`,
    json: (backup, written) => result(backup, written),
  });
}

interface Change {
  question: string;
  what: string;
  file: Awaited<ReturnType<typeof readEnvBytes>>;
  data: string | Buffer;
  done: (backup: string | null) => string;
  json: (backup: string | null, written: boolean) => unknown;
}

/** Dry run, writability, the question, then backup before write: the same for every rollback. */
async function apply(flags: Flags, io: CommandIo, change: Change): Promise<number> {
  if (flags.dryRun) {
    io.stderr.write('Dry run: nothing written.\n');
    if (flags.json) writeJson(io, change.json(null, false));
    return EXIT.ok;
  }
  await assertWritable(flags.path);
  if (!(await confirmChange(io, flags.yes, change.question, change.what, false))) {
    io.stderr.write('Cancelled: nothing changed.\n');
    return EXIT.failed;
  }
  await assertUnchanged(change.file);
  const backup = change.file.exists ? await saveBackup(flags.path, change.file.bytes) : null;
  await writeEnvFile(flags.path, change.data, change.file.mode);
  io.stderr.write(change.done(backup));
  if (flags.json) writeJson(io, change.json(backup, true));
  return EXIT.ok;
}

async function list(flags: Flags, io: CommandIo): Promise<number> {
  const backups = await listBackups(flags.path);
  if (flags.json) {
    writeJson(io, { path: flags.path, backups: backups.map((backup) => ({ path: backup.path, date: backup.date.toISOString(), bytes: backup.bytes })) });
    return EXIT.ok;
  }
  if (backups.length === 0) {
    io.stdout.write(`No backups of ${flags.path} yet (chroma-migrate env set and rollback make them).\n`);
    return EXIT.ok;
  }
  io.stdout.write(`Backups of ${flags.path}, newest first:\n${backups.map(describe).join('')}`);
  io.stdout.write(`Restore one with: chroma-migrate rollback --restore FILE${envFileFlag(flags)}\n`);
  return EXIT.ok;
}

function describe(backup: EnvBackup): string {
  return `  ${formatDate(backup.date)}  ${backup.path}  (${backup.bytes} bytes)\n`;
}

/** A bare name from --list is looked for next to the .env file when it is not in the current folder. */
function locateBackup(choice: string, envPath: string): string {
  const direct = resolve(choice);
  const beside = join(dirname(envPath), choice);
  return existsSync(direct) || !existsSync(beside) ? direct : beside;
}

function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function envFileFlag(flags: Flags): string {
  return flags.path === resolve('.env') ? '' : ` --dotenv ${flags.path}`;
}
