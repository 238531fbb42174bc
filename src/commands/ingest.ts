import { describeEndpoint } from '../core/chroma/endpoint.js';
import { describeCount, describeOutcome, runIngest, type IngestResult } from '../core/ingest/run-ingest.js';
import { loadState, statePath } from '../core/state/store.js';
import { listOption, parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';
import { envFor, TARGET_HELP, TARGET_OPTIONS, targetFrom } from '../cli/connection-flags.js';
import { isInteractive, loadPrompts, type CommandIo } from '../cli/io.js';
import { createReporter } from '../cli/reporter.js';

const OPTIONS = {
  command: { type: 'string', short: 'c' },
  again: { type: 'boolean' },
  collection: { type: 'string' },
  json: { type: 'boolean' },
  ...TARGET_OPTIONS,
} as const;

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Run your own ingestion command against the new server and count what it added',
  help: `Usage: chroma-migrate ingest --command "CMD" [--collection NAME] [options]

Step 7, "complete ingestion": runs CMD through the shell in the current folder, with the
target's CHROMA_HOST, CHROMA_PORT, CHROMA_SSL and CHROMA_AUTH_TOKEN in its environment and
CHROMA_API_KEY, CHROMA_TENANT and CHROMA_DATABASE set empty, so a script that prefers Chroma
Cloud cannot write there by accident — even one that loads .env itself (load_dotenv(),
dotenv.config()), since dotenv never overrides a variable that is already set. Its output is
shown as it comes; Ctrl-C is passed on to it. Counts each collection before and after, e.g.
"cro_audit_issues: 1,177 → 2,054 (+877)". The command is remembered in the migration state for
next time.

  --command CMD, -c CMD   the ingestion command, e.g.
                        --command "python3 scripts/ingest_audits.py --local-dir sample_audits/"
  --again               run the command remembered from last time
  --collection a,b      count only these collections (default: every collection on the target)
  --json                print the result as JSON on stdout (the command's output stays on stderr)

The command gets no input (stdin is closed) and runs in its own process group.

${TARGET_HELP}

Exit codes: 0 the command succeeded, 1 it failed (its exit code is shown; the counts still
are), 2 usage, 130 interrupted.`,

  async run(args, io) {
    const { values } = parseCommandArgs('ingest', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    const path = statePath(values.state, io.env);
    const command = await chooseCommand(values, (await loadState(path)).ingestCommand, io);
    if (command === undefined) return EXIT.usage;
    const env = envFor(values, io.env);
    const { target, notes } = targetFrom(values, env);
    const reporter = createReporter(io, { live: false });
    for (const note of notes) reporter.listener({ type: 'warning', message: note });
    reporter.listener({ type: 'phase', message: `Target: ${describeEndpoint(target)}` });
    const result = await runIngest({
      command,
      target,
      // The process's own environment, not .env's contents: the script reads its .env itself as usual.
      env: io.env,
      collections: listOption(values.collection),
      statePath: path,
      signal: io.signal,
      onOutput: (line) => io.stderr.write(`  │ ${line}\n`),
      onProgress: reporter.listener,
    });
    if (values.json) writeJson(io, { ...result, statePath: path });
    report(result, io);
    if (result.interrupted) {
      io.stderr.write('  → Run the same command again to continue: it starts your command again from its beginning.\n');
      return EXIT.interrupted;
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  },
};

async function chooseCommand(values: { command?: string; again?: boolean }, last: string | undefined, io: CommandIo): Promise<string | undefined> {
  if (values.command !== undefined) return values.command;
  if (values.again && last) return last;
  if (isInteractive(io)) {
    const { input } = await loadPrompts();
    return input({ message: 'Command that ingests your data', default: last, required: true }, { output: io.stderr, signal: io.signal });
  }
  const hint = last ? `\nLast time you ran: ${last}\nRun it again with --again.` : '';
  io.stderr.write(`ingest needs --command "CMD" (your ingestion command).${hint}\nSee chroma-migrate ingest --help.\n`);
  return undefined;
}

function report(result: IngestResult, io: CommandIo): void {
  const lines = result.counts.map((count) => `  ${describeCount(count, result.countedAfter)}`);
  if (lines.length === 0) lines.push('  (no collections on the target)');
  io.stderr.write(`${describeOutcome(result)}\n${lines.join('\n')}\n`);
}
