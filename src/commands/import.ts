import type { Command } from '../cli/command.js';
import { importBackup, planImport, type ImportOptions } from '../core/operations/import.js';
import { printPlan } from '../present/reports/target-plan.js';
import { exposure, OPEN_SERVER_WARNING } from '../core/chroma/probe.js';
import { describeImport, importSucceeded } from '../present/reports/import-summary.js';
import { differenceLines, leftOutLines } from '../present/reports/collection-report.js';
import { choiceOption, EXISTS_FLAGS, ifExistsOption, intOption, listOption, newNameOption } from '../cli/args.js';
import { askExists, askSpace } from '../cli/ask.js';
import { EXIT } from '../cli/command.js';
import { CONNECTION_GROUPS, TARGET_FLAGS } from '../cli/connection-flags.js';
import { defineCommand } from '../cli/define-command.js';
import { ALL_DATABASES_FLAGS, parseDatabaseMap } from '../cli/sources/all-databases.js';
import { number } from '../cli/reporter.js';

export const importCommand: Command = defineCommand({
  name: 'import',
  summary: 'Load a backup file into the self-hosted server, in batches, resumable',
  recordsRun: true,
  usage: ['--input FILE [options]'],
  description: `Upserts every record of the backup into the target, several batches in flight, saving a
checkpoint after each committed batch. Run the same command again after an interruption and it
continues from the checkpoint. Ends with the count check.`,
  flags: {
    'all-databases': { type: 'boolean', help: 'accepted for symmetry: a backup that holds several databases always recreates each of them on the target' },
    'database-map': ALL_DATABASES_FLAGS['database-map'],
    database: { type: 'string', arg: 'a,b', help: 'of a backup holding several databases, import only these' },
    input: { type: 'string', short: 'i', arg: 'FILE', help: "a chroma-migrate backup (.jsonl or .jsonl.gz) or the guide's JSON export", required: 'the backup to load' },
    collection: { type: 'string', arg: 'a,b', help: 'import only these collections of the backup' },
    as: { type: 'string', arg: 'NAME', help: 'import the (one) selected collection under another name' },
    ...EXISTS_FLAGS,
    space: {
      type: 'string',
      arg: 'l2|cosine|ip',
      help: "the distance space for a collection whose backup does not record it (the guide's column-wise JSON without collection metadata); asked in a terminal, required without one",
    },
    batch: { type: 'string', arg: 'N', help: "records per request (default 1000, 300 to Chroma Cloud; never above the server's limit)" },
    concurrency: { type: 'string', arg: 'N', help: 'requests in flight (default 2)' },
    parallel: { type: 'string', arg: 'N', help: 'collections in flight (default 4)' },
    again: {
      type: 'boolean',
      help: "send every record even where this backup was imported before (with --if-exists append: each record written exactly as the backup holds it over the target's copy; a metadata key the backup lacks is removed, a record whose document or uri the backup lacks is deleted and written again)",
    },
    'drop-sparse': {
      type: 'boolean',
      help: 'import without metadata keys that hold sparse vectors, which only Chroma Cloud can store (the backup keeps them); without it such a backup stops before anything is written',
    },
    'skip-invalid': {
      type: 'boolean',
      help: 'import all but the records the target would refuse (keys it does not take, invalid text, a record too large); those are written to FILE.rejects.jsonl next to the backup. Without it such a backup stops before anything is written, naming collection, id and key',
    },
    'dry-run': {
      type: 'boolean',
      help: 'show the plan and write nothing: per collection the records, what the target will create, what is left out and what it would refuse',
    },
    json: { type: 'boolean', help: 'print the result as JSON on stdout' },
    ...TARGET_FLAGS,
  },
  groups: CONNECTION_GROUPS,
  notes: `The collection is created with what the backup recorded and the server can hold: embedding
function, space, HNSW parameters, and (Chroma ≥ 1.3) the schema's index switches. What the server
cannot hold (SPANN settings, CMEK, enabled sparse indexes, fields it does not know) is named in the
report; the created collection is read back and any difference is named too.`,
  examples: [
    { what: 'into the server in .env (or localhost:8000)', run: 'chroma-migrate import --input backup.jsonl.gz' },
    { what: 'one collection under a new name, onto another server', run: 'chroma-migrate import -i b.jsonl.gz --collection docs --as docs_v2 --url https://chroma.example.com' },
  ],
  exitCodes: `0 every record arrived in a collection created as the backup describes it, 1 failed,
counts differ, or the server holds the collection differently (named), 2 usage, 130 interrupted.`,

  async run(context): Promise<number> {
    const { values, io, interactive, json, announceTarget, reporter, statePath, say, writeJson } = context;
    const target = announceTarget();
    const options: ImportOptions = {
      input: values.input,
      target,
      collections: listOption(values.collection),
      renameTo: newNameOption(values.as),
      ifExists: ifExistsOption(values),
      decideExists: interactive ? (info) => askExists(info, io) : undefined,
      space: choiceOption('space', values.space, ['l2', 'cosine', 'ip'] as const),
      decideSpace: interactive ? (info) => askSpace(info, io) : undefined,
      batchSize: intOption('batch', values.batch, { max: 100_000 }),
      concurrency: intOption('concurrency', values.concurrency, { max: 64 }),
      parallel: intOption('parallel', values.parallel, { max: 32 }),
      dropSparse: values['drop-sparse'] === true,
      again: values.again === true,
      statePath,
      signal: io.signal,
      onProgress: reporter().listener,
      skipInvalid: values['skip-invalid'] === true,
      databases: listOption(values.database),
      databaseMap: parseDatabaseMap(values['database-map']),
    };
    if (values['dry-run']) {
      reporter().close();
      return printPlan(await planImport(options), options.skipInvalid === true, { json, say, writeJson, number }) ? EXIT.ok : EXIT.failed;
    }
    const result = await importBackup(options);
    reporter().close();
    // A collection the server created otherwise than asked (another EF, HNSW, metadata) is not
    // the source's, even with every record in it: say so in the exit code, not only in words.
    const ok = result.collections.every(importSucceeded);
    if (json) writeJson({ ok, batchSize: result.batchSize, collections: result.collections, rejects: result.rejects ?? null });
    else {
      for (const collection of result.collections) {
        const again = collection.missing > 0 ? '; run the same command again to re-send them' : '';
        say(`${importSucceeded(collection) ? '✓' : '✗'} ${collection.database ? `[${collection.database}] ` : ''}${describeImport(collection, number)}${again}`);
        if (collection.chosenSpace) say(`    space          ${collection.chosenSpace}, as chosen (the backup does not record it)`);
        for (const line of leftOutLines(collection.leftOut)) say(line);
        if (collection.differences.length > 0) say(['    created        but the server holds it differently:', ...differenceLines(collection.differences)].join('\n'));
      }
      if (io.typed && result.collections.some((collection) => collection.missing > 0)) say(`  To re-send them: ${io.typed.command}`);
      if (result.rejects) say(`! ${number(result.rejects.records)} record(s) the target refuses were left out, as chosen (--skip-invalid): ${result.rejects.path}`);
    }
    if ((await exposure(target, { signal: io.signal })) === 'open') say(`! ${OPEN_SERVER_WARNING}`);
    return ok ? EXIT.ok : EXIT.failed;
  },
});
