import { resolve } from 'node:path';
import { parse } from 'dotenv';
import { parseChromaUrl, type ParsedUrl } from '../core/chroma/url.js';
import { applyEnvPlan, nothingToWrite, planSelfHostedEnv, sendsTokenInClear, withEnvLock, type AppliedEnvPlan, type EnvPlan } from '../core/env-file/apply.js';
import { MigrateError } from '../core/util/errors.js';
import { assertWritable } from '../core/env-file/file.js';
import { withEnvOrigin } from '../core/state/env-origin.js';
import { recordStepDone } from '../core/state/record-step.js';
import { envFileFlag } from '../present/env-backups.js';
import { BOM_NOTE, droppedPlaceNote, modeNotes, placeNote, placeUseNote } from '../present/env-notes.js';
import { choiceOption } from '../cli/args.js';
import { TARGET_FLAGS } from '../cli/connection-flags.js';
import type { TargetPlace } from '../core/chroma/endpoint.js';
import { loadState } from '../core/state/store.js';
import { placeInState } from '../core/state/target-place.js';
import { confirmChange, showChanges } from '../cli/ask.js';
import { EXIT } from '../cli/command.js';
import type { CommandContext } from '../cli/context.js';
import { defineCommand } from '../cli/define-command.js';

const CLOUD_KEYS = ['CHROMA_API_KEY', 'CHROMA_TENANT', 'CHROMA_DATABASE'];

const FLAGS = {
  url: { type: 'string', arg: 'URL', help: 'the self-hosted server: https://host[:port], host:port or a bare host', required: 'the self-hosted server, e.g. https://chroma.example.com' },
  token: {
    type: 'string',
    arg: 'T',
    help: "the server's token, saved as CHROMA_AUTH_TOKEN. Prefer putting it in the CHROMA_AUTH_TOKEN environment variable: a flag is visible in your shell history and in ps",
  },
  'token-header': { type: 'string', arg: 'H', help: 'authorization (Bearer, the default) or x-chroma-token; saved as CHROMA_AUTH_TOKEN_TRANSPORT_HEADER' },
  'target-tenant': { ...TARGET_FLAGS['target-tenant'], help: 'the tenant the copy, import or sync wrote to; saved as CHROMA_HOST_TENANT (removed for default_tenant)' },
  'target-database': { ...TARGET_FLAGS['target-database'], help: 'the database they wrote to; saved as CHROMA_HOST_DATABASE (removed for default_database)' },
  'env-file': { type: 'string', arg: 'PATH', display: 'dotenv', help: 'the file to change (default ./.env; created if missing, mode 0600)' },
  insecure: { type: 'boolean', help: 'allow writing a token for a server on plain http:// on another machine (the app would send it in clear text)' },
  yes: { type: 'boolean', short: 'y', help: 'write without asking (needed when there is no terminal)' },
  'dry-run': { type: 'boolean', help: 'only show the change' },
  json: { type: 'boolean', help: 'print {path, backup, changed, written} on stdout (key names, never values)' },
} as const;
type Context = CommandContext<typeof FLAGS>;

export const envCommand = defineCommand({
  name: 'env',
  summary: "Point your app's .env at the self-hosted server (step 4), keeping a backup",
  subcommands: ['set'],
  createsDotenv: true,
  savesSecrets: true,
  usage: ['set --url URL [options]'],
  description: `Writes CHROMA_HOST, CHROMA_PORT and CHROMA_SSL (and CHROMA_AUTH_TOKEN when there is a token) into
your app's .env, replacing them where they are and adding the missing ones at the end. Data in a
tenant or database other than the default (--target-tenant, --target-database) adds
CHROMA_HOST_TENANT and CHROMA_HOST_DATABASE; in the default ones they are removed. Every other
line, comment and quote stays as it was. CHROMA_API_KEY, CHROMA_TENANT and CHROMA_DATABASE are left
alone: they are the Chroma Cloud fallback that "chroma-migrate rollback" returns to. Shows the change
(tokens masked) and asks first; the old file is kept as .env.backup-<time> next to it.`,
  flags: FLAGS,
  groups: { target: { title: 'Where the data is on the server' } },
  examples: [
    { what: 'point ./.env at your server (asks first)', run: 'chroma-migrate env set --url https://chroma.example.com' },
    { what: "another app's .env, without asking", run: 'chroma-migrate env set --url localhost:8000 --dotenv ../app/.env --yes' },
  ],
  exitCodes: '0 written or nothing to change, 1 failed or declined, 2 usage (or no terminal and no --yes).',

  async run(context) {
    const { values, say } = context;
    const target = parseChromaUrl(values.url);
    const path = resolve(values['env-file'] ?? '.env');
    for (const note of target.notes) say(`! ${note}`);
    const set = () => setEnv(context, target, path);
    // A dry run writes nothing, so it needs no turn at the file.
    return values['dry-run'] ? set() : withEnvLock(path, 'env set', set);
  },
});

async function setEnv({ values, io, json, statePath, say, writeJson }: Context, target: ParsedUrl, path: string): Promise<number> {
  // An empty variable is no token: `CHROMA_AUTH_TOKEN= chroma-migrate …` must not write one.
  const token = values.token || io.env.CHROMA_AUTH_TOKEN || undefined;
  const place = { tenant: values['target-tenant'], database: values['target-database'] };
  const plan = await planSelfHostedEnv(path, target, { token, tokenHeader: tokenHeaderOption(values['token-header']), place });
  refuseCleartextToken(plan, target, values.insecure === true);
  for (const note of await placeNotes(statePath, target.url, place, plan)) say(note);
  const result = (backup: string | null, written: boolean) => ({ path, backup, changed: plan.changes.map((change) => change.key), written });
  const recordStep = (written?: AppliedEnvPlan) =>
    recordStepDone(statePath, 'env', `.env → ${target.url}`, (state) => (written ? withEnvOrigin(state, path, written.backup) : {})).catch((error: unknown) =>
      say(`! Could not record step 4 in ${statePath}: ${(error as Error).message}`),
    );
  if (nothingToWrite(plan)) {
    say(`✓ ${path} already points at ${target.url}; nothing to change.`);
    await recordStep();
    if (json) writeJson(result(null, false));
    return EXIT.ok;
  }
  showPlan(plan, say, (text) => showChanges(io, text, plan.changes));
  if (values['dry-run']) {
    say('Dry run: nothing written.');
    if (json) writeJson(result(null, false));
    return EXIT.ok;
  }
  await assertWritable(path);
  if (!(await confirmChange(io, values.yes, `Write these changes to ${path}?`, `env set would change ${path}`))) {
    say('Cancelled: nothing changed.');
    return EXIT.failed;
  }
  const applied = await applyEnvPlan(plan);
  const notes = modeNotes({ path, mode: plan.file.mode, existed: plan.file.exists, writesToken: plan.writesToken }, applied).map((note) => `\n  ${note}`);
  const saved = applied.backup ? `; the previous version is saved as ${applied.backup}` : '';
  const use = placeUseNote(parse(plan.text)).map((note) => `\n  ${note}`);
  say(`✓ Updated ${path}${saved}.${notes.join('')}\n  Your app now connects to ${target.url}. To switch back to Chroma Cloud: chroma-migrate rollback${envFileFlag(path)}${use.join('')}`);
  await recordStep(applied);
  if (json) writeJson(result(applied.backup, true));
  return EXIT.ok;
}

/** The rule ping and import follow for the token they send, for the token the app will send: over plain http only to this machine, elsewhere only with --insecure. */
function refuseCleartextToken(plan: EnvPlan, target: ParsedUrl, insecure: boolean): void {
  if (insecure || !sendsTokenInClear(plan, target)) return;
  throw new MigrateError(
    'USAGE',
    `Refusing to point ${plan.path} at ${target.url} with a CHROMA_AUTH_TOKEN: that is plain http, so your app would send the token in clear text on every request, where anyone between it and the server could read it. Nothing was changed.`,
    "Use the server's https:// address (Railway domains are https on 443), or pass --insecure if this network is private and you accept the risk.",
  );
}

/**
 * Said when the runs put the data elsewhere on this server, or else when a place .env named goes
 * unasked; an unreadable state says nothing here (recording the step says why).
 */
async function placeNotes(statePath: string, url: string, place: TargetPlace, plan: EnvPlan): Promise<string[]> {
  const recorded = await loadState(statePath).then((state) => placeInState(state, url), () => ({}));
  const note = placeNote(recorded, place, url);
  return note.length > 0 ? note : droppedPlaceNote(plan.changes, place);
}

function showPlan(plan: EnvPlan, say: (text: string) => void, show: (title: string) => void): void {
  show(plan.file.exists ? `Changes to ${plan.path}:` : `New file ${plan.path} (there is none yet: env set creates it):`);
  if (plan.file.bom) say(`  ${BOM_NOTE}`);
  const cloudKept = CLOUD_KEYS.filter((key) => parse(plan.file.text)[key] !== undefined);
  if (cloudKept.length === 0) return;
  say(`  ${cloudKept.join(', ')} ${cloudKept.length === 1 ? 'stays as it is' : 'stay as they are'}: the Chroma Cloud fallback (chroma-migrate rollback).`);
}

function tokenHeaderOption(value: string | undefined) {
  const normalised = value?.toLowerCase();
  return choiceOption('token-header', normalised === 'bearer' ? 'authorization' : normalised, ['authorization', 'x-chroma-token'] as const);
}
