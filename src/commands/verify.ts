import { verifyAgainstSource, verifyBackup, type CollectionVerdict } from '../core/operations/verify.js';
import { statePath } from '../core/state/store.js';
import { fraction, plural } from '../core/util/format.js';
import { describeRecall, describeVerdict, recallAdvice } from '../present/verify-summary.js';
import { describeEndpoint } from '../core/chroma/endpoint.js';
import { intOption, listOption, parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';
import { envFor, SOURCE_HELP, SOURCE_OPTIONS, TARGET_HELP, TARGET_OPTIONS, targetFrom } from '../cli/connection-flags.js';
import { openSource, SOURCE_PATH_HELP, SOURCE_PATH_OPTIONS } from '../cli/source-path.js';
import type { CommandIo } from '../cli/io.js';
import { settingsLines } from '../present/collection-report.js';
import { createReporter, number } from '../cli/reporter.js';

const OPTIONS = {
  input: { type: 'string', short: 'i' },
  collection: { type: 'string' },
  collections: { type: 'string' },
  as: { type: 'string' },
  sample: { type: 'string' },
  json: { type: 'boolean' },
  ...SOURCE_OPTIONS,
  ...SOURCE_PATH_OPTIONS,
  ...TARGET_OPTIONS,
} as const;

/** The source flags that stand in for --input: the live source is the reference. */
const SOURCE_FLAGS = ['source-url', 'source-path', 'api-key', 'tenant', 'database'] as const;

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Prove the target holds every record of a backup, unchanged',
  help: `Usage: chroma-migrate verify --input FILE [options]
       chroma-migrate verify --source-url URL | --api-key K --tenant T --database D [options]

For each collection: the count; every record compared with the backup (ids, documents,
metadatas type for type, uris, embeddings as float32) listing missing and differing ids; and
the collection itself: its metadata, embedding function, distance space, HNSW parameters and
schema must be what importing the backup into this server gives. These decide the exit code.
It also measures the target index's recall (its answers for a sample against the true nearest
neighbours computed from the records) and says what your app needs for the embedding function.

With the source's flags in place of --input, the reference is the live source itself: the
id sets both ways (ids the target lacks, ids the source no longer holds), every record type
for type, and the collection, all read from the source now. This proves the target against
the source, not only against a backup that may have missed records.

  --input FILE          the backup that was imported
  --collections a,b     only these collections (also --collection)
  --as NAME             the (one) collection was imported under this name
  --sample N            records that query the index to measure its recall (default 20)
  --json                print the result as JSON on stdout

${SOURCE_HELP}
${SOURCE_PATH_HELP}

${TARGET_HELP}

Exit codes: 0 everything matches, 1 something differs or is missing, 2 usage.`,

  async run(args, io) {
    const { values } = parseCommandArgs('verify', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    const fromSource = SOURCE_FLAGS.some((flag) => values[flag] !== undefined);
    if (!values.input === !fromSource) {
      io.stderr.write(
        `${values.input ? 'verify compares with --input FILE or with the source, not both.' : 'verify needs --input FILE (the backup to compare with), or the source\'s flags (--source-url URL, or --api-key/--tenant/--database).'}\nSee chroma-migrate verify --help.\n`,
      );
      return EXIT.usage;
    }
    const env = envFor(values, io.env);
    const { target } = targetFrom(values, env);
    const reporter = createReporter(io, { live: io.stderr.isTTY === true && !values.json });
    const opened = fromSource ? await openSource(values, env, reporter.listener) : null;
    const source = opened?.source ?? null;
    if (source) reporter.listener({ type: 'phase', message: `Source: ${values['source-path'] ?? describeEndpoint(source)}` });
    reporter.listener({ type: 'phase', message: `Target: ${describeEndpoint(target)}` });
    try {
      const common = {
        target,
        collections: listOption(values.collections ?? values.collection),
        renameTo: values.as,
        sample: intOption('sample', values.sample, { min: 0, max: 10_000 }),
        statePath: statePath(values.state, io.env),
        signal: io.signal,
        onProgress: reporter.listener,
      };
      const result = source ? await verifyAgainstSource({ ...common, source }) : await verifyBackup({ ...common, input: values.input! });
      reporter.close();
      if (values.json) writeJson(io, { ok: result.ok, collections: result.collections });
      else printVerdicts(io, result.collections);
      return result.ok ? EXIT.ok : EXIT.failed;
    } finally {
      reporter.close();
      await opened?.close();
    }
  },
};

export function printVerdicts(io: CommandIo, verdicts: CollectionVerdict[]): void {
  const out = (text: string) => io.stderr.write(`${text}\n`);
  for (const verdict of verdicts) {
    const mark = verdict.ok ? '✓' : '✗';
    if (!verdict.exists) {
      out(`✗ ${verdict.collection}: ${describeVerdict(verdict)}`);
      continue;
    }
    const equal = verdict.compared - verdict.missing - verdict.differing;
    out(`${mark} ${verdict.collection}: ${describeVerdict(verdict)}`);
    out(`    count          ${number(verdict.count ?? 0)} on the target`);
    out(`    records equal  ${fraction(equal, verdict.expected)}${verdict.against === 'source' ? ' (read from the source now)' : ''}`);
    if (verdict.missing > 0) out(`    missing        ${number(verdict.missing)}: ${verdict.missingIds.join(', ')}${verdict.missing > verdict.missingIds.length ? ', …' : ''}`);
    if (verdict.extra > 0) out(`    not at source  ${number(verdict.extra)}: ${verdict.extraIds.join(', ')}${verdict.extra > verdict.extraIds.length ? ', …' : ''}`);
    if (verdict.differing > 0) {
      out(`    differing      ${number(verdict.differing)}: ${verdict.differingIds.map((entry) => `${entry.id} (${entry.fields.join(', ')})`).join(', ')}${verdict.differing > verdict.differingIds.length ? ', …' : ''}`);
    }
    for (const [key, n] of Object.entries(verdict.sparseNotCarried)) {
      out(`    not carried    sparse vectors in "${key}" (${plural(n, 'record')}): a self-hosted server cannot store them; the backup keeps them`);
    }
    out(`    index          ${describeRecall(verdict)}`);
    const advice = recallAdvice(verdict);
    if (advice) out(`    ! ${advice}`);
    for (const line of settingsLines(verdict.settings, verdict.collection)) out(line);
  }
  if (verdicts.some((verdict) => verdict.missing > 0)) out('Missing records: run chroma-migrate import with the same backup again (--if-exists append) to re-send them.');
}
