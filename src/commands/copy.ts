import { stat } from 'node:fs/promises';
import { copyCollections } from '../core/operations/copy.js';
import { describeImport, importSucceeded } from '../present/import-summary.js';
import { exposure, OPEN_SERVER_WARNING } from '../core/chroma/probe.js';
import { statePath } from '../core/state/store.js';
import { describeEndpoint } from '../core/chroma/endpoint.js';
import { ifExistsOption, intOption, listOption, parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';
import { envFor, SOURCE_HELP, SOURCE_OPTIONS, TARGET_HELP, TARGET_OPTIONS, targetFrom } from '../cli/connection-flags.js';
import { openSource, SOURCE_PATH_HELP, SOURCE_PATH_OPTIONS } from '../cli/source-path.js';
import { askExists } from './import.js';
import { isInteractive } from '../cli/io.js';
import { createReporter, number } from '../cli/reporter.js';
import { printVerdicts } from './verify.js';
import { describeSourceChange } from '../present/export-summary.js';

const OPTIONS = {
  out: { type: 'string', short: 'o' },
  collections: { type: 'string' },
  all: { type: 'boolean' },
  as: { type: 'string' },
  'if-exists': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'page-size': { type: 'string' },
  'read-concurrency': { type: 'string' },
  batch: { type: 'string' },
  concurrency: { type: 'string' },
  sample: { type: 'string' },
  'skip-verify': { type: 'boolean' },
  'drop-sparse': { type: 'boolean' },
  json: { type: 'boolean' },
  ...SOURCE_OPTIONS,
  ...SOURCE_PATH_OPTIONS,
  ...TARGET_OPTIONS,
} as const;

export const copyCommand: Command = {
  name: 'copy',
  summary: 'Export, import and verify in one pass: source → backup file + target at once',
  help: `Usage: chroma-migrate copy --out FILE [--collections a,b | --all] [options]

Reads every record from the source (as export does), writes the backup file and upserts
into the target (as import does) at the same time, so the move takes about as long as the
slower side. Each batch the target has committed is read back and compared with what was
sent (as verify does) while the copy goes on; the count and the collection's settings are
checked at the end, and the target index's recall is measured on a sample. Checkpoints both sides as one: run the same command again after Ctrl-C or a crash and it
continues where the target had committed. The source is only ever read.

  --out FILE            the backup written on the way, e.g. backup.jsonl.gz
  --collections a,b     only these collections (default: --all)
  --as NAME             copy the (one) named collection under another name
  --if-exists MODE      when a target collection already holds records:
                        ask (default in a terminal), append (upsert by id),
                        recreate (delete it first), abort
  --yes                 with no --if-exists: append without asking
  --page-size N         records per read (default 300; Cloud allows at most 300)
  --read-concurrency N  reads in flight (default 8 on Chroma Cloud, halved on each 429;
                        4 elsewhere)
  --batch N             records per write (default 1000, 300 to Chroma Cloud)
  --concurrency N       writes in flight (default 2)
  --sample N            records that measure the index's recall when verifying (default 20)
  --drop-sparse         copy without metadata keys that hold sparse vectors, which only
                        Chroma Cloud can store (the backup keeps them); without it the
                        copy stops at the first page holding one, before sending it
  --skip-verify         stop after the count check, without comparing every record
  --json                print the result as JSON on stdout

${SOURCE_HELP}
${SOURCE_PATH_HELP}

${TARGET_HELP}

Exit codes: 0 every record arrived and matches, 1 failed or differs, 2 usage,
130 interrupted (resumable).`,

  async run(args, io) {
    const { values } = parseCommandArgs('copy', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    if (!values.out) {
      io.stderr.write('copy needs --out FILE (where to keep the backup it writes on the way).\nSee chroma-migrate copy --help.\n');
      return EXIT.usage;
    }
    if (values.as !== undefined && (values.all || listOption(values.collections)?.length !== 1)) {
      io.stderr.write('--as renames one collection: name it with --collections NAME (not --all).\nSee chroma-migrate copy --help.\n');
      return EXIT.usage;
    }
    const env = envFor(values, io.env);
    const { target, notes } = targetFrom(values, env);
    const ifExists = ifExistsOption(values);
    const interactive = isInteractive(io);
    const reporter = createReporter(io, { live: io.stderr.isTTY === true && !values.json });
    const opened = await openSource(values, env, reporter.listener);
    const source = opened.source;
    for (const note of notes) reporter.listener({ type: 'warning', message: note });
    reporter.listener({ type: 'phase', message: `Source: ${values['source-path'] ?? describeEndpoint(source)}` });
    reporter.listener({ type: 'phase', message: `Target: ${describeEndpoint(target)}` });
    try {
      const result = await copyCollections({
        source,
        target,
        out: values.out,
        collections: values.all ? undefined : listOption(values.collections),
        renameTo: values.as,
        ifExists,
        decideExists: interactive ? (info) => askExists(info, io) : undefined,
        pageSize: intOption('page-size', values['page-size'], { max: 5_000 }),
        readConcurrency: intOption('read-concurrency', values['read-concurrency'], { max: 32 }),
        batchSize: intOption('batch', values.batch, { max: 100_000 }),
        writeConcurrency: intOption('concurrency', values.concurrency, { max: 64 }),
        sample: intOption('sample', values.sample, { min: 0, max: 10_000 }),
        verify: values['skip-verify'] !== true,
        dropSparse: values['drop-sparse'] === true,
        statePath: statePath(values.state, io.env),
        signal: io.signal,
        onProgress: reporter.listener,
      });
      reporter.close();
      const bytes = (await stat(result.out)).size;
      if (values.json) {
        writeJson(io, {
          ok: result.ok,
          out: result.out,
          bytes,
          resumed: result.resumed,
          batchSize: result.batchSize,
          exported: result.exported,
          imported: result.collections,
          verify: result.verify?.collections ?? null,
        });
      } else {
        io.stderr.write(`✓ Wrote ${result.out} (${(bytes / 1024 / 1024).toFixed(1)} MB)\n`);
        for (const collection of result.exported) {
          const change = describeSourceChange(collection);
          if (change) io.stderr.write(`! ${collection.name}: the source changed during the copy: ${change}. The backup and the target hold what the source held at the end.\n`);
        }
        for (const collection of result.collections) io.stderr.write(`${importSucceeded(collection) ? '✓' : '✗'} ${describeImport(collection, number)}\n`);
        if (result.verify) printVerdicts(io, result.verify.collections);
      }
      if ((await exposure(target, { signal: io.signal })) === 'open') io.stderr.write(`! ${OPEN_SERVER_WARNING}\n`);
      return result.ok ? EXIT.ok : EXIT.failed;
    } finally {
      reporter.close();
      await opened.close();
    }
  },
};
