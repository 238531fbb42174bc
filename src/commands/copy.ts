import type { Command } from '../cli/command.js';
import { stat } from 'node:fs/promises';
import { copyCollections } from '../core/operations/copy.js';
import { planCopy } from '../core/operations/copy-plan.js';
import { printPlan } from '../present/reports/target-plan.js';
import { MigrateError } from '../core/util/errors.js';
import { exposure, OPEN_SERVER_WARNING } from '../core/chroma/probe.js';
import { describeImport, importSucceeded, readEarlierLines } from '../present/reports/import-summary.js';
import { verdictLines } from '../present/reports/verify-summary.js';
import { pruneLines, sendAgainLines, verifySourceLines } from '../present/send-again.js';
import { describeSourceChange } from '../present/reports/export-summary.js';
import { EXISTS_FLAGS, ifExistsOption, intOption, listOption, newNameOption, OVERWRITE_FLAGS } from '../cli/args.js';
import { askExists, askReplace } from '../cli/ask.js';
import { EXIT } from '../cli/command.js';
import { CONNECTION_GROUPS, SOURCE_FLAGS, TARGET_FLAGS } from '../cli/connection-flags.js';
import { defineCommand } from '../cli/define-command.js';
import { ALL_DATABASES_FLAGS, refuseMapWithoutAllDatabases, runPerDatabase } from '../cli/sources/all-databases.js';
import { number } from '../cli/reporter.js';

export const copyCommand: Command = defineCommand({
  name: 'copy',
  summary: 'Export, import and verify in one pass: source → backup file + target at once',
  recordsRun: true,
  usage: ['--out FILE [--collections a,b | --all] [options]'],
  description: `Reads every record from the source (as export does), writes the backup file and upserts into
the target (as import does) at the same time, so the move takes about as long as the slower side.
Each batch the target has committed is read back and compared with what was sent (as verify does)
while the copy goes on; the count and the collection's settings are checked at the end, and the
target index's recall is measured on a sample. Checkpoints both sides as one: run the same command again after Ctrl-C or a crash and it
continues where the target had committed. The source is only ever read.`,
  flags: {
    ...ALL_DATABASES_FLAGS,
    out: { type: 'string', short: 'o', arg: 'FILE', help: 'the backup written on the way, e.g. backup.jsonl.gz', required: 'where to keep the backup it writes on the way' },
    collections: { type: 'string', arg: 'a,b', help: 'only these collections (default: --all)' },
    all: { type: 'boolean', help: 'every collection' },
    as: { type: 'string', arg: 'NAME', help: 'copy the (one) named collection under another name' },
    ...EXISTS_FLAGS,
    ...OVERWRITE_FLAGS,
    'page-size': { type: 'string', arg: 'N', help: 'records per read (default: 300 from Chroma Cloud, its limit; from a server, 1000 at 384-d, fewer at higher dimensions)' },
    'read-concurrency': { type: 'string', arg: 'N', help: 'reads in flight (default 8 on Chroma Cloud, halved on each 429; 4 elsewhere)' },
    batch: { type: 'string', arg: 'N', help: 'records per write (default 1000, 300 to Chroma Cloud)' },
    concurrency: { type: 'string', arg: 'N', help: 'writes in flight (default 2)' },
    parallel: { type: 'string', arg: 'N', help: 'collections in flight (default 4)' },
    sample: { type: 'string', arg: 'N', help: "records that measure the index's recall when verifying (default 20)" },
    'drop-sparse': {
      type: 'boolean',
      help: 'copy without metadata keys that hold sparse vectors, which only Chroma Cloud can store (the backup keeps them); without it the copy stops at the first page holding one, before sending it',
    },
    'skip-invalid': {
      type: 'boolean',
      help: 'copy all but the records the target would refuse (keys it does not take, invalid text, a record too large); those are written to FILE.rejects.jsonl next to the backup (--out), and verify lists them as refused by the target. Without it the copy stops at the first page holding one, before sending it',
    },
    'dry-run': {
      type: 'boolean',
      help: 'read the source and show the plan, writing nothing (no target change, no backup, no state): per collection the records, what the target will create, what is left out and what it would refuse',
    },
    'skip-verify': { type: 'boolean', help: 'stop after the count check, without comparing every record' },
    json: { type: 'boolean', help: 'print the result as JSON on stdout' },
    ...SOURCE_FLAGS,
    ...TARGET_FLAGS,
  },
  groups: CONNECTION_GROUPS,
  examples: [
    { what: 'Chroma Cloud (from .env) to a server, keeping a backup', run: 'chroma-migrate copy --all --out backup.jsonl.gz --url https://chroma.example.com' },
    { what: 'one collection under a new name', run: 'chroma-migrate copy --collections docs --as docs_v2 --out docs.jsonl.gz' },
  ],
  exitCodes: '0 every record arrived and matches, 1 failed or differs, 2 usage, 130 interrupted (resumable).',

  async run(context): Promise<number> {
    const { values, io, interactive, json, openSource, unread, announceTarget, reporter, statePath, say, writeJson } = context;
    refuseMapWithoutAllDatabases('copy', values);
    if (values['all-databases']) return runPerDatabase(copyCommand, context);
    if (values.as !== undefined && (values.all || listOption(values.collections)?.length !== 1)) {
      throw new MigrateError('USAGE', '--as renames one collection: name it with --collections NAME (not --all).', 'See chroma-migrate copy --help.');
    }
    const renameTo = newNameOption(values.as);
    const target = announceTarget();
    const every = values.all === true || values.collections === undefined;
    const source = await openSource('writes', every ? { allDatabases: true } : undefined);
    const selection = { collections: values.all ? undefined : listOption(values.collections), renameTo };
    if (values['dry-run']) {
      const plan = await planCopy({ source, target, ...selection, ifExists: ifExistsOption(values), out: values.out, overwrite: values.overwrite === true, batchSize: intOption('batch', values.batch, { max: 100_000 }), statePath, signal: io.signal, onProgress: reporter().listener });
      reporter().close();
      // As the real run: a plan that cannot run fails (1) before the --out is claimed; an --out not its own needs an answer (2).
      if (!printPlan(plan, values['skip-invalid'] === true, { json, say, writeJson, number })) return EXIT.failed;
      return plan.out.claim === 'taken' ? EXIT.usage : EXIT.ok;
    }
    const result = await copyCollections({
      source,
      target,
      out: values.out,
      ...selection,
      ifExists: ifExistsOption(values),
      decideExists: interactive ? (info) => askExists(info, io) : undefined,
      overwrite: values.overwrite === true,
      decideReplace: interactive ? (path) => askReplace(path, io) : undefined,
      pageSize: intOption('page-size', values['page-size'], { max: 5_000 }),
      readConcurrency: intOption('read-concurrency', values['read-concurrency'], { max: 32 }),
      batchSize: intOption('batch', values.batch, { max: 100_000 }),
      writeConcurrency: intOption('concurrency', values.concurrency, { max: 64 }),
      parallel: intOption('parallel', values.parallel, { max: 32 }),
      sample: intOption('sample', values.sample, { min: 0, max: 10_000 }),
      verify: values['skip-verify'] !== true,
      dropSparse: values['drop-sparse'] === true,
      skipInvalid: values['skip-invalid'] === true,
      statePath,
      signal: io.signal,
      onProgress: reporter().listener,
    });
    reporter().close();
    const bytes = (await stat(result.out)).size;
    if (json) {
      const { ok, out, resumed, batchSize, exported } = result;
      const left = unread();
      const earlier = result.readEarlier ? { readEarlier: result.readEarlier } : {};
      writeJson({ ok, out, bytes, resumed, batchSize, exported, imported: result.collections, verify: result.verify?.collections ?? null, rejects: result.rejects ?? null, ...earlier, ...(left.length > 0 ? { unread: left } : {}) });
    } else {
      say(`✓ Wrote ${result.out} (${(bytes / 1024 / 1024).toFixed(1)} MB)`);
      for (const collection of result.exported) {
        const change = describeSourceChange(collection);
        if (change) say(`! ${collection.name}: the source changed during the copy: ${change}. The backup and the target hold what the source held at the end.`);
      }
      for (const collection of result.collections) say(`${importSucceeded(collection) ? '✓' : '✗'} ${describeImport(collection, number)}`);
      if (result.verify) for (const line of verdictLines(result.verify.collections, { sendAgain: sendAgainLines(values, result.out), rewrite: sendAgainLines(values, result.out, true), prune: pruneLines(values) })) say(line);
      if (result.rejects) say(`! ${number(result.rejects.records)} record(s) the target refuses were left out, as chosen (--skip-invalid): ${result.rejects.path}`);
      if (result.verify && result.readEarlier) for (const line of readEarlierLines(result.readEarlier, verifySourceLines(values, everyCopied(values, result.readEarlier.collections, result.exported) ? 'all' : result.readEarlier.collections, source.database))) say(line);
      for (const note of unread()) say(`! ${note}`);
    }
    if ((await exposure(target, { signal: io.signal })) === 'open') say(`! ${OPEN_SERVER_WARNING}`);
    return result.ok ? EXIT.ok : EXIT.failed;
  },
});

/** A copy of --all whose earlier run read every collection it copied: verify's default (every collection) names them. */
function everyCopied(values: { all?: unknown }, read: string[], exported: Array<{ name: string }>): boolean {
  const names = new Set(read);
  return values.all === true && exported.every((collection) => names.has(collection.name));
}
