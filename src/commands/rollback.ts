import { basename, resolve } from 'node:path';
import { parse } from 'dotenv';
import { MigrateError } from '../core/util/errors.js';
import { replaceEnvFile, withEnvLock } from '../core/env-file/apply.js';
import { listBackups } from '../core/env-file/backups.js';
import { CLOUD_HOST } from '../core/chroma/endpoint.js';
import { assertWritable, readEnvFile } from '../core/env-file/file.js';
import { planRollback } from '../core/env-file/rollback-plan.js';
import { envOriginOf } from '../core/state/env-origin.js';
import { recordStepDone, recordStepUndone } from '../core/state/record-step.js';
import type { EnvOrigin } from '../core/state/schema.js';
import { loadState } from '../core/state/store.js';
import { planRestore } from '../core/env-file/restore.js';
import { shellWord } from '../core/util/format.js';
import { backupLines, envFileFlag, formatDate } from '../present/env-backups.js';
import { BOM_NOTE } from '../present/env-notes.js';
import { rollbackTitle, unknownOriginLines } from '../present/rollback-text.js';
import { confirmChange, showChanges } from '../cli/ask.js';
import { EXIT } from '../cli/command.js';
import type { CommandContext } from '../cli/context.js';
import { defineCommand } from '../cli/define-command.js';

const FLAGS = {
  comment: { type: 'boolean', help: 'comment out the settings that were not there before the migration, instead of removing them' },
  restore: { type: 'string', arg: 'BACKUP', help: 'put back a saved backup byte for byte ("latest" for the newest)' },
  list: { type: 'boolean', help: 'list the backups of the file, newest first' },
  'env-file': { type: 'string', arg: 'PATH', display: 'dotenv', help: 'the file (default ./.env)' },
  yes: { type: 'boolean', short: 'y', help: 'change the file without asking (needed when there is no terminal)' },
  'dry-run': { type: 'boolean', help: 'only show the change' },
  json: { type: 'boolean', help: 'print the result as JSON on stdout (key names, never values)' },
} as const;
type Context = CommandContext<typeof FLAGS> & { path: string };

export const rollbackCommand = defineCommand({
  name: 'rollback',
  summary: 'Point your app back at Chroma Cloud, or restore a saved .env backup',
  usage: ['[--dotenv PATH] [--restore BACKUP | --list] [--comment] [--yes]'],
  description: `The rollback plan: your app's .env stops pointing at the self-hosted server, so the app falls back
to Chroma Cloud (CHROMA_API_KEY, CHROMA_TENANT, CHROMA_DATABASE). Only the .env file changes: no
Chroma data is touched, on either server. Shows what it will do and asks first; the current file is
saved as .env.backup-<time> before any change. CHROMA_HOST, CHROMA_PORT, CHROMA_SSL,
CHROMA_AUTH_TOKEN (and CHROMA_AUTH_TOKEN_TRANSPORT_HEADER) get back the values they had before the
migration's first env set (from the backup it kept); those that were not there are removed.
Step 4 of "chroma-migrate status" is marked undone.`,
  flags: FLAGS,
  // --restore puts back a .env that was deleted.
  createsDotenv: true,
  examples: [
    { what: 'back to Chroma Cloud (asks first)', run: 'chroma-migrate rollback' },
    { what: 'undo that: the newest saved .env', run: 'chroma-migrate rollback --restore latest' },
  ],
  exitCodes: '0 done or nothing to do, 1 failed or declined, 2 usage (or no terminal and no --yes).',

  async run(context) {
    const { values } = context;
    const actions = [values.restore !== undefined && '--restore', values.list && '--list', values.comment && '--comment'].filter(Boolean);
    if (actions.length > 1) throw new MigrateError('USAGE', `${actions.join(' and ')} are different actions; pick one.`, 'See chroma-migrate rollback --help.');
    const withPath: Context = { ...context, path: resolve(values['env-file'] ?? '.env') };
    if (values.list) return list(withPath);
    const restoreFrom = values.restore;
    const act = () => (restoreFrom !== undefined ? restore(restoreFrom, withPath) : fallBackToCloud(withPath));
    // A dry run writes nothing, so it needs no turn at the file.
    return values['dry-run'] ? act() : withEnvLock(withPath.path, 'rollback', act);
  },
});

async function fallBackToCloud(context: Context): Promise<number> {
  const { path, values, io, say } = context;
  const comment = values.comment === true;
  const file = await readEnvFile(path);
  if (!file.exists) throw new MigrateError('NOT_FOUND', `There is no ${path} to roll back.`, "Pass --dotenv with the path of your app's .env.");
  const { source, patch: plan } = await planRollback(file.text, await originOf(context), comment);
  const valuesFrom = source.kind === 'backup' ? source.backup : null;
  const change = { action: comment ? 'comment' : 'remove', valuesFrom, changed: plan.changes.map((entry) => entry.key) };
  if (plan.changes.length === 0) {
    await followStep4(context, false, 'rolled back: the .env has no self-hosted settings');
    return nothingToDo(context, `✓ ${path} has ${valuesFrom ? 'its Chroma settings from before the migration' : 'no self-hosted Chroma settings'}; the app already uses Chroma Cloud.`, change);
  }
  showChanges(io, rollbackTitle(path, source), plan.changes, { commented: comment });
  const unknown = unknownOriginLines(path, source);
  for (const line of unknown) say(line);
  if (parse(plan.text).CHROMA_API_KEY === undefined) say(`! ${path} has no CHROMA_API_KEY: without it the app has no Chroma Cloud to fall back to.`);
  if (file.bom) say(`  ${BOM_NOTE}`);
  if (io.env.CHROMA_HOST) say("! CHROMA_HOST is also set in this shell's environment, which wins over the .env file: unset it too.");
  say('  Chroma data is not touched: the self-hosted server keeps its collections.');
  const detail = valuesFrom ? 'rolled back: the .env has its settings from before the migration again' : 'rolled back: the self-hosted settings were removed from the .env';
  return apply(
    context,
    { question: `Change these settings in ${path}?`, what: `rollback would change ${path}`, file, data: plan.text, json: change, written: () => followStep4(context, false, detail) },
    (backup) => [`✓ Rolled back ${path}; the previous version is saved as ${backup}.`, ...unknown.slice(1), `  Undo: chroma-migrate rollback --restore ${shellWord(backup ?? '')}${envFileFlag(path)}`].join('\n'),
  );
}

/** The state's record of this .env before the migration; a state that cannot be read is said, not fatal. */
async function originOf({ statePath, path, say }: Context): Promise<EnvOrigin | undefined> {
  try {
    return envOriginOf(await loadState(statePath), path);
  } catch (error) {
    say(`! Could not read the migration state at ${statePath}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Step 4 in the state follows the file, so `status` tells the truth: undone once the .env no longer
 * points at a self-hosted server, done again when a restore puts such settings back. Untouched
 * when this migration never got to step 4.
 */
async function followStep4({ statePath, say }: Context, pointsAtServer: boolean, detail: string): Promise<void> {
  try {
    const step = (await loadState(statePath)).steps.env;
    if (step === undefined) return;
    if (pointsAtServer && step.status !== 'done') await recordStepDone(statePath, 'env', detail);
    else if (!pointsAtServer && step.status === 'done') await recordStepUndone(statePath, 'env', detail);
  } catch (error) {
    say(`! Could not record step 4 in ${statePath}: ${(error as Error).message}`);
  }
}

async function restore(choice: string, context: Context): Promise<number> {
  const { path, io, say } = context;
  const plan = await planRestore(path, choice);
  const change = { action: 'restore', restoredFrom: plan.source, changed: plan.changes.map((entry) => entry.key) };
  if (plan.identical) return nothingToDo(context, `✓ ${path} is already identical to ${plan.source}; nothing to do.`, change);
  const title = `Restore ${path} from ${plan.source}${plan.savedAt ? ` (saved ${formatDate(plan.savedAt)})` : ''}:`;
  if (plan.changes.length > 0) showChanges(io, title, plan.changes);
  else say(`${title}\n  the same settings; only comments or layout differ.`);
  const host = parse(plan.bytes).CHROMA_HOST;
  const written = () => followStep4(context, host !== undefined && host !== CLOUD_HOST, `.env restored from ${basename(plan.source)}`);
  return apply(context, { question: `Restore ${path} from this backup?`, what: `rollback --restore would replace ${path}`, file: plan.current, data: plan.bytes, json: change, written }, (backup) =>
    `✓ Restored ${path} from ${plan.source}${backup ? `; the version it replaced is saved as ${backup}` : ''}.`,
  );
}

function nothingToDo(context: Context, text: string, change: object): number {
  context.say(text);
  if (context.json) context.writeJson({ path: context.path, ...change, backup: null, written: false });
  return EXIT.ok;
}

interface Change {
  question: string;
  what: string;
  file: Parameters<typeof replaceEnvFile>[1];
  data: string | Buffer;
  json: object;
  /** After the file is written: the state follows. */
  written: () => Promise<void>;
}

/** Dry run, writability, the question, then backup before write: the same for every rollback. */
async function apply(context: Context, change: Change, done: (backup: string | null) => string): Promise<number> {
  const { path, values, io, json, say, writeJson } = context;
  const result = (backup: string | null, written: boolean) => ({ path, ...change.json, backup, written });
  if (values['dry-run']) {
    say('Dry run: nothing written.');
    if (json) writeJson(result(null, false));
    return EXIT.ok;
  }
  await assertWritable(path);
  if (!(await confirmChange(io, values.yes, change.question, change.what, false))) {
    say('Cancelled: nothing changed.');
    return EXIT.failed;
  }
  const backup = await replaceEnvFile(path, change.file, change.data);
  await change.written();
  say(done(backup));
  if (json) writeJson(result(backup, true));
  return EXIT.ok;
}

async function list({ path, json, io, writeJson }: Context): Promise<number> {
  const backups = await listBackups(path);
  if (json) writeJson({ path, backups: backups.map((backup) => ({ path: backup.path, date: backup.date.toISOString(), bytes: backup.bytes })) });
  else io.stdout.write(`${backupLines(path, backups).join('\n')}\n`);
  return EXIT.ok;
}
