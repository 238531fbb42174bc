import type { Space } from '../core/model/record.js';
import { SPACE_CHOICES } from '../present/space-choices.js';
import { importBackup, planImport, type ExistsChoice, type ImportOptions, type ImportPlanResult } from '../core/operations/import.js';
import { planJson, planLines, planRuns } from '../present/target-plan.js';
import { describeImport, importSucceeded } from '../present/import-summary.js';
import { exposure, OPEN_SERVER_WARNING } from '../core/chroma/probe.js';
import { statePath } from '../core/state/store.js';
import { describeEndpoint } from '../core/chroma/endpoint.js';
import { choiceOption, ifExistsOption, intOption, listOption, parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';
import { envFor, TARGET_HELP, TARGET_OPTIONS, targetFrom } from '../cli/connection-flags.js';
import { isInteractive, loadPrompts, type CommandIo } from '../cli/io.js';
import { differenceLines, leftOutLines } from '../present/collection-report.js';
import { createReporter, number } from '../cli/reporter.js';

const OPTIONS = {
  input: { type: 'string', short: 'i' },
  collection: { type: 'string' },
  as: { type: 'string' },
  'if-exists': { type: 'string' },
  space: { type: 'string' },
  batch: { type: 'string' },
  concurrency: { type: 'string' },
  'drop-sparse': { type: 'boolean' },
  'skip-invalid': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  json: { type: 'boolean' },
  ...TARGET_OPTIONS,
} as const;

export const importCommand: Command = {
  name: 'import',
  summary: 'Load a backup file into the self-hosted server, in batches, resumable',
  help: `Usage: chroma-migrate import --input FILE [options]

Upserts every record of the backup into the target, several batches in flight, saving a
checkpoint after each committed batch. Run the same command again after an interruption
and it continues from the checkpoint. Ends with the count check.

  --input FILE          a chroma-migrate backup (.jsonl or .jsonl.gz) or the guide's JSON export
  --collection a,b      import only these collections of the backup
  --as NAME             import the (one) selected collection under another name
  --if-exists MODE      when the collection already holds records:
                        ask (default in a terminal), append (upsert by id),
                        recreate (delete it first), abort
  --space l2|cosine|ip  the distance space for a collection whose backup does not record
                        it (the guide's column-wise JSON without collection metadata);
                        asked in a terminal, required without one
  --batch N             records per request (default 1000, 300 to Chroma Cloud;
                        never above the server's limit)
  --concurrency N       requests in flight (default 2)
  --drop-sparse         import without metadata keys that hold sparse vectors, which
                        only Chroma Cloud can store (the backup keeps them); without it
                        such a backup stops before anything is written
  --skip-invalid        import all but the records the target would refuse (keys it does
                        not take, invalid text, a record too large); those are written to
                        FILE.rejects.jsonl next to the backup. Without it such a backup
                        stops before anything is written, naming collection, id and key
  --dry-run             show the plan and write nothing: per collection the records, what
                        the target will create, what is left out and what it would refuse
  --yes                 with no --if-exists: append without asking
  --json                print the result as JSON on stdout

${TARGET_HELP}

The collection is created with what the backup recorded and the server can hold: embedding
function, space, HNSW parameters, and (Chroma ≥ 1.3) the schema's index switches. What the
server cannot hold (SPANN settings, CMEK, enabled sparse indexes, fields it does not know) is
named in the report; the created collection is read back and any difference is named too.

Exit codes: 0 every record arrived in a collection created as the backup describes it,
1 failed, counts differ, or the server holds the collection differently (named),
2 usage, 130 interrupted.`,

  async run(args, io) {
    const { values } = parseCommandArgs('import', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    if (!values.input) {
      io.stderr.write('import needs --input FILE (the backup to load).\nSee chroma-migrate import --help.\n');
      return EXIT.usage;
    }
    const env = envFor(values, io.env);
    const { target, notes } = targetFrom(values, env);
    const ifExists = ifExistsOption(values);
    const space = choiceOption('space', values.space, ['l2', 'cosine', 'ip'] as const);
    const interactive = isInteractive(io);
    const reporter = createReporter(io, { live: io.stderr.isTTY === true && !values.json });
    for (const note of notes) reporter.listener({ type: 'warning', message: note });
    reporter.listener({ type: 'phase', message: `Target: ${describeEndpoint(target)}` });
    try {
      const options: ImportOptions = {
        input: values.input,
        target,
        collections: listOption(values.collection),
        renameTo: values.as,
        ifExists,
        decideExists: interactive ? (info) => askExists(info, io) : undefined,
        space,
        decideSpace: interactive ? (info) => askSpace(info, io) : undefined,
        batchSize: intOption('batch', values.batch, { max: 100_000 }),
        concurrency: intOption('concurrency', values.concurrency, { max: 64 }),
        dropSparse: values['drop-sparse'] === true,
        statePath: statePath(values.state, io.env),
        signal: io.signal,
        onProgress: reporter.listener,
        skipInvalid: values['skip-invalid'] === true,
      };
      if (values['dry-run']) return await printPlan(await planImport(options), options.skipInvalid === true, io, values.json === true, reporter.close);
      const result = await importBackup(options);
      reporter.close();
      // A collection the server created otherwise than asked (another EF, HNSW, metadata) is not
      // the source's, even with every record in it: say so in the exit code, not only in words.
      const ok = result.collections.every(importSucceeded);
      if (values.json) writeJson(io, { ok, batchSize: result.batchSize, collections: result.collections, rejects: result.rejects ?? null });
      else {
        for (const collection of result.collections) {
          const mark = importSucceeded(collection) ? '✓' : '✗';
          const again = collection.missing > 0 ? '; run the same command again to re-send them' : '';
          io.stderr.write(`${mark} ${describeImport(collection, number)}${again}\n`);
          const lines = [
            ...(collection.chosenSpace ? [`    space          ${collection.chosenSpace}, as chosen (the backup does not record it)`] : []),
            ...leftOutLines(collection.leftOut),
            ...(collection.differences.length > 0 ? ['    created        but the server holds it differently:', ...differenceLines(collection.differences)] : []),
          ];
          for (const line of lines) io.stderr.write(`${line}\n`);
        }
        if (result.rejects) io.stderr.write(`! ${number(result.rejects.records)} record(s) the target refuses were left out, as chosen (--skip-invalid): ${result.rejects.path}\n`);
      }
      if ((await exposure(target, { signal: io.signal })) === 'open') io.stderr.write(`! ${OPEN_SERVER_WARNING}\n`);
      return ok ? EXIT.ok : EXIT.failed;
    } finally {
      reporter.close();
    }
  },
};

async function printPlan(result: ImportPlanResult, skipInvalid: boolean, io: CommandIo, json: boolean, close: () => void): Promise<number> {
  close();
  const runs = planRuns(result.plan, skipInvalid);
  if (json) writeJson(io, { ok: runs, dryRun: true, batchSize: result.batchSize, notes: result.notes, ...(planJson(result.plan) as object) });
  else {
    io.stderr.write(`Plan (--dry-run: nothing was written), batches of ${number(result.batchSize)}:\n`);
    for (const line of [...result.notes.map((note) => `! ${note}`), ...planLines(result.plan, number)]) io.stderr.write(`${line}\n`);
  }
  return runs ? EXIT.ok : EXIT.failed;
}

export async function askSpace(info: { collection: string; source: string }, io: CommandIo): Promise<Space> {
  const { select } = await loadPrompts();
  return select<Space>(
    {
      message: `The backup does not record how collection "${info.source}" compared embeddings (its distance space). Which did it use on the source?`,
      choices: SPACE_CHOICES.map((choice) => ({ name: choice.label, value: choice.value })),
    },
    { output: io.stderr, signal: io.signal },
  );
}

export async function askExists(info: { collection: string; count: number }, io: CommandIo): Promise<ExistsChoice> {
  const { select } = await loadPrompts();
  return select<ExistsChoice>(
    {
      message: `Collection "${info.collection}" already exists on the target with ${number(info.count)} records. What now?`,
      // Enter alone must never delete: the first choice is the default, so the destructive one is last.
      choices: [
        { name: 'Append: upsert the backup into it (same ids are overwritten)', value: 'append' },
        { name: 'Cancel: change nothing', value: 'abort' },
        { name: `Delete it (${number(info.count)} records) and recreate it, then import`, value: 'recreate' },
      ],
      default: 'append',
    },
    { output: io.stderr, signal: io.signal },
  );
}
