import { describeCount, describeOutcome, runIngest, type IngestResult } from '../core/ingest/run-ingest.js';
import { loadState } from '../core/state/store.js';
import type { MigrationState } from '../core/state/schema.js';
import { MigrateError } from '../core/util/errors.js';
import { listOption } from '../cli/args.js';
import { EXIT } from '../cli/command.js';
import { CONNECTION_GROUPS, TARGET_FLAGS, type TargetValues } from '../cli/connection-flags.js';
import type { Env } from '../core/chroma/connection.js';
import type { Endpoint } from '../core/chroma/endpoint.js';
import { withPlace } from '../core/state/target-place.js';
import { defineCommand } from '../cli/define-command.js';
import { isInteractive, loadPrompts, type CommandIo } from '../cli/io.js';

export const ingestCommand = defineCommand({
  name: 'ingest',
  summary: 'Run your own ingestion command against the new server and count what it added',
  usage: ['--command "CMD" [--collection NAME] [options]'],
  description: `Step 7, "complete ingestion": runs CMD through the shell in the current folder, with the target's
CHROMA_HOST, CHROMA_PORT, CHROMA_SSL and CHROMA_AUTH_TOKEN in its environment, CHROMA_HOST_TENANT and
CHROMA_HOST_DATABASE set to where it counts (--target-tenant and --target-database, else what .env
names for its CHROMA_HOST, else the defaults), and CHROMA_API_KEY, CHROMA_TENANT and CHROMA_DATABASE set empty, so a script that prefers Chroma Cloud cannot write there
by accident — even one that loads .env itself (load_dotenv(), dotenv.config()), since dotenv never
overrides a variable that is already set. Its output is shown as it comes; Ctrl-C is passed on to
it. Counts each collection before and after, e.g. "cro_audit_issues: 1,177 → 2,054 (+877)". The
command is remembered in the migration state for next time.`,
  flags: {
    command: { type: 'string', short: 'c', arg: 'CMD', help: 'the ingestion command, e.g. --command "python3 scripts/ingest.py --dir docs/"' },
    again: { type: 'boolean', help: 'run the command remembered from last time' },
    collection: { type: 'string', arg: 'a,b', help: 'count only these collections (default: every collection on the target)' },
    json: { type: 'boolean', help: "print the result as JSON on stdout (the command's output stays on stderr)" },
    ...TARGET_FLAGS,
  },
  groups: CONNECTION_GROUPS,
  notes: 'The command gets no input (stdin is closed) and runs in its own process group.',
  examples: [
    { what: 'your ingestion script, pointed at the new server', run: 'chroma-migrate ingest --command "python3 ingest.py"' },
    { what: 'the same command as last time', run: 'chroma-migrate ingest --again' },
  ],
  exitCodes: '0 the command succeeded, 1 it failed (its exit code is shown; the counts still are), 2 usage, 130 interrupted.',

  async run({ values, io, env, json, announceTarget, target, reporter, statePath, say, writeJson }) {
    const command = await chooseCommand(values, await loadState(statePath), io);
    // Plain lines, never a live bar: the command's own output is interleaved with them.
    const progress = reporter({ live: false });
    const endpoint = placeFromEnv(announceTarget(), values, target().from === 'CHROMA_HOST' ? env() : {});
    const result = await runIngest({
      command,
      target: endpoint,
      // The process's own environment, not .env's contents: the script reads its .env itself as usual.
      env: io.env,
      // Secrets on the command line are masked in what is saved and printed: .env's are known too.
      secretsFrom: env(),
      collections: listOption(values.collection),
      statePath,
      signal: io.signal,
      onOutput: (line) => say(`  │ ${line}`),
      onProgress: progress.listener,
    });
    if (json) writeJson({ ...result, statePath });
    say(report(result));
    if (result.interrupted) {
      say('  → Run the same command again to continue: it starts your command again from its beginning.');
      return EXIT.interrupted;
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  },
});

async function chooseCommand(values: { command?: string; again?: boolean }, saved: MigrationState, io: CommandIo): Promise<string> {
  if (values.command !== undefined) return values.command;
  const last = saved.ingestCommand;
  // Saved with its secrets masked: it cannot run as saved, the user gives them again.
  const withheld = saved.ingestWithheld ?? [];
  const missing = withheld.length > 0 ? `\nIts ${withheld.join(', ')} ${withheld.length > 1 ? 'were' : 'was'} not saved (shown as …).` : '';
  if (values.again && last && withheld.length === 0) return last;
  if (isInteractive(io)) {
    const { input } = await loadPrompts();
    const message = withheld.length > 0 ? `Command that ingests your data (type ${withheld.join(', ')} again where … stands)` : 'Command that ingests your data';
    return input({ message, default: last, required: true }, { output: io.stderr, signal: io.signal });
  }
  const hint = last ? `\nLast time you ran: ${last}${missing}` : '';
  const fix = last && withheld.length > 0 ? 'Pass it again with --command "CMD", the values where … stands included.' : last ? 'Run it again with --again, or pass --command "CMD".' : 'See chroma-migrate ingest --help.';
  throw new MigrateError('USAGE', `ingest needs --command "CMD" (your ingestion command).${hint}`, fix);
}

/**
 * The tenant and database .env names for its own server (what env set wrote), when no flag names
 * them: a script that loads that .env writes there, so the counts are taken there too.
 */
function placeFromEnv(endpoint: Endpoint, values: TargetValues, env: Env): Endpoint {
  return withPlace(endpoint, { tenant: values['target-tenant'] ?? env.CHROMA_HOST_TENANT, database: values['target-database'] ?? env.CHROMA_HOST_DATABASE });
}

function report(result: IngestResult): string {
  const lines = result.counts.map((count) => `  ${describeCount(count, result.countedAfter)}`);
  if (lines.length === 0) lines.push('  (no collections on the target)');
  return `${describeOutcome(result)}\n${lines.join('\n')}`;
}
