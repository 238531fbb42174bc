import { resolve } from 'node:path';
import { parse } from 'dotenv';
import { parseChromaUrl } from '../core/chroma/url.js';
import { MigrateError } from '../core/util/errors.js';
import { applyEnvPlan, octalMode, planSelfHostedEnv } from '../core/env-file/apply.js';
import { formatEnvChanges, type EnvChange } from '../core/env-file/diff.js';
import { assertWritable } from '../core/env-file/file.js';
import { recordStepDone } from '../core/state/record-step.js';
import { statePath } from '../core/state/store.js';
import { choiceOption, parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';
import { isInteractive, loadPrompts, type CommandIo } from '../cli/io.js';

const SET_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  'token-header': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const CLOUD_KEYS = ['CHROMA_API_KEY', 'CHROMA_TENANT', 'CHROMA_DATABASE'];

export const envCommand: Command = {
  name: 'env',
  summary: "Point your app's .env at the self-hosted server (step 4), keeping a backup",
  help: `Usage: chroma-migrate env set --url URL [options]

Writes CHROMA_HOST, CHROMA_PORT and CHROMA_SSL (and CHROMA_AUTH_TOKEN when there is a token)
into your app's .env, replacing them where they are and adding the missing ones at the end.
Every other line, comment and quote stays as it was. CHROMA_API_KEY, CHROMA_TENANT and
CHROMA_DATABASE are left alone: they are the Chroma Cloud fallback that
"chroma-migrate rollback" returns to. Shows the change (tokens masked) and asks first; the
old file is kept as .env.backup-<time> next to it.

  --url URL             the self-hosted server: https://host[:port], host:port or a bare host
  --token T             the server's token, saved as CHROMA_AUTH_TOKEN. Prefer putting it in
                        the CHROMA_AUTH_TOKEN environment variable: a flag is visible in your
                        shell history and in ps
  --token-header H      authorization (Bearer, the default) or x-chroma-token; saved as
                        CHROMA_AUTH_TOKEN_TRANSPORT_HEADER
  --dotenv PATH         the file to change (default ./.env; created if missing, mode 0600)
  --yes                 write without asking (needed when there is no terminal)
  --dry-run             only show the change
  --json                print {path, backup, changed, written} on stdout (key names, never values)

Exit codes: 0 written or nothing to change, 1 failed or declined, 2 usage (or no terminal
and no --yes).`,

  async run(args, io) {
    const [subcommand, ...rest] = args;
    if (subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    if (subcommand !== 'set') {
      const what = subcommand === undefined ? 'env needs a subcommand' : `Unknown env subcommand "${subcommand}"`;
      io.stderr.write(`${what}: chroma-migrate env set --url URL.\nSee chroma-migrate env --help.\n`);
      return EXIT.usage;
    }
    return envSet(rest, io, this.help);
  },
};

async function envSet(args: string[], io: CommandIo, help: string): Promise<number> {
  const { values } = parseCommandArgs('env set', args, SET_OPTIONS);
  if (values.help) {
    io.stdout.write(`${help}\n`);
    return EXIT.ok;
  }
  if (!values.url) {
    io.stderr.write('env set needs --url URL (the self-hosted server, e.g. https://chroma.example.com).\nSee chroma-migrate env --help.\n');
    return EXIT.usage;
  }
  const target = parseChromaUrl(values.url);
  // An empty variable is no token: `CHROMA_AUTH_TOKEN= chroma-migrate …` must not write one.
  const token = values.token || io.env.CHROMA_AUTH_TOKEN || undefined;
  const path = resolve(values['env-file'] ?? '.env');
  for (const note of target.notes) io.stderr.write(`! ${note}\n`);

  const plan = await planSelfHostedEnv(path, target, token, tokenHeaderOption(values['token-header']));
  const file = plan.file;
  const result = (backup: string | null, written: boolean) => ({ path, backup, changed: plan.changes.map((change) => change.key), written });
  const state = statePath(values.state, io.env);
  if (plan.changes.length === 0) {
    io.stderr.write(`✓ ${path} already points at ${target.url}; nothing to change.\n`);
    await recordStep(io, state, path, target.url);
    if (values.json) writeJson(io, result(null, false));
    return EXIT.ok;
  }
  showChanges(io, file.exists ? `Changes to ${path}:` : `New file ${path}:`, plan.changes);
  const cloudKept = CLOUD_KEYS.filter((key) => parse(file.text)[key] !== undefined);
  if (cloudKept.length > 0) {
    const verb = cloudKept.length === 1 ? 'stays as it is' : 'stay as they are';
    io.stderr.write(`  ${cloudKept.join(', ')} ${verb}: the Chroma Cloud fallback (chroma-migrate rollback).\n`);
  }
  if (values['dry-run']) {
    io.stderr.write('Dry run: nothing written.\n');
    if (values.json) writeJson(io, result(null, false));
    return EXIT.ok;
  }

  await assertWritable(path);
  if (!(await confirmChange(io, values.yes, `Write these changes to ${path}?`, `env set would change ${path}`))) {
    io.stderr.write('Cancelled: nothing changed.\n');
    return EXIT.failed;
  }
  const { backup, tightened } = await applyEnvPlan(plan);
  const flag = values['env-file'] === undefined ? '' : ` --dotenv ${values['env-file']}`;
  io.stderr.write(
    `✓ Updated ${path}${backup ? `; the previous version is saved as ${backup}` : ''}.\n` +
      (tightened
        ? `  It now holds a token, so only you can read it: its mode went from ${octalMode(tightened.from)} to ${octalMode(tightened.to)}.\n`
        : plan.writesToken && !file.exists
          ? `  It holds a token, so only you can read it (mode ${octalMode(file.mode)}).\n`
          : '') +
      `  Your app now connects to ${target.url}. To switch back to Chroma Cloud: chroma-migrate rollback${flag}\n`,
  );
  await recordStep(io, state, path, target.url);
  if (values.json) writeJson(io, result(backup, true));
  return EXIT.ok;
}

/** Step 4 is done: the app's .env points at the new server. A state that cannot be saved only warns. */
async function recordStep(io: CommandIo, state: string, path: string, url: string): Promise<void> {
  await recordStepDone(state, 'env', `.env → ${url}`).catch((error: unknown) => {
    io.stderr.write(`! Could not record step 4 in ${state}: ${(error as Error).message}\n`);
  });
}

function tokenHeaderOption(value: string | undefined) {
  const normalised = value?.toLowerCase();
  return choiceOption('token-header', normalised === 'bearer' ? 'authorization' : normalised, ['authorization', 'x-chroma-token'] as const);
}

/** The diff goes to stderr with the rest of the conversation; stdout stays for --json. */
export function showChanges(io: CommandIo, title: string, changes: readonly EnvChange[], options: { commented?: boolean } = {}): void {
  io.stderr.write(`${title}\n${formatEnvChanges(changes, options).map((line) => `  ${line}\n`).join('')}`);
}

/** --yes answers; otherwise ask at a terminal, and without one say which flag answers instead. */
export async function confirmChange(io: CommandIo, yes: boolean | undefined, question: string, what: string, defaultAnswer = true): Promise<boolean> {
  if (yes) return true;
  if (!isInteractive(io)) {
    throw new MigrateError('NEEDS_ANSWER', `${what}, and there is no terminal to ask for confirmation.`, 'Run again with --yes to confirm (or --dry-run to only see the change).');
  }
  const { confirm } = await loadPrompts();
  return confirm({ message: question, default: defaultAnswer }, { output: io.stderr, signal: io.signal });
}
