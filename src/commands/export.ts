import { stat } from 'node:fs/promises';
import { exportCollections } from '../core/operations/export.js';
import { statePath } from '../core/state/store.js';
import { describeEndpoint } from '../core/chroma/endpoint.js';
import { intOption, listOption, parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';
import { envFor, SOURCE_HELP, SOURCE_OPTIONS } from '../cli/connection-flags.js';
import { openSource, SOURCE_PATH_HELP, SOURCE_PATH_OPTIONS } from '../cli/source-path.js';
import { createReporter, number } from '../cli/reporter.js';
import { describeSourceChange } from '../present/export-summary.js';

const OPTIONS = {
  out: { type: 'string', short: 'o' },
  collections: { type: 'string' },
  all: { type: 'boolean' },
  'page-size': { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean' },
  ...SOURCE_OPTIONS,
  ...SOURCE_PATH_OPTIONS,
} as const;

export const exportCommand: Command = {
  name: 'export',
  summary: 'Copy collections from Chroma Cloud (or any Chroma) into a backup file',
  help: `Usage: chroma-migrate export --out FILE [--collections a,b | --all] [options]

Reads every record (ids, documents, metadatas, embeddings, uris) page by page with an
explicit limit — at most 300 on Chroma Cloud, its read quota — and writes a streaming
backup file (gzip when FILE ends in .gz). Reads only: the source is never written to.
Writes FILE.partial with checkpoints and renames it at the end; run the same command
again after an interruption and it continues.

  --out FILE            the backup to write, e.g. backup.jsonl.gz
  --collections a,b     only these collections (default: --all)
  --page-size N         records per read (default 300; Cloud allows at most 300)
  --concurrency N       reads in flight (default 8 on Chroma Cloud, halved on each 429
                        and grown back; 4 elsewhere; Cloud allows 10 per collection)
  --json                print the result as JSON on stdout

${SOURCE_HELP}
${SOURCE_PATH_HELP}

Exit codes: 0 done, 1 failed, 2 usage, 130 interrupted (resumable).`,

  async run(args, io) {
    const { values } = parseCommandArgs('export', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    if (!values.out) {
      io.stderr.write('export needs --out FILE (where to write the backup).\nSee chroma-migrate export --help.\n');
      return EXIT.usage;
    }
    const env = envFor(values, io.env);
    const reporter = createReporter(io, { live: io.stderr.isTTY === true && !values.json });
    const opened = await openSource(values, env, reporter.listener);
    const source = opened.source;
    reporter.listener({ type: 'phase', message: `Source: ${values['source-path'] ?? describeEndpoint(source)}` });
    try {
      const result = await exportCollections({
        source,
        out: values.out,
        collections: values.all ? undefined : listOption(values.collections),
        pageSize: intOption('page-size', values['page-size'], { max: 5_000 }),
        concurrency: intOption('concurrency', values.concurrency, { max: 32 }),
        statePath: statePath(values.state, io.env),
        signal: io.signal,
        onProgress: reporter.listener,
      });
      reporter.close();
      const bytes = (await stat(result.out)).size;
      if (values.json) writeJson(io, { ok: true, out: result.out, bytes, resumed: result.resumed, collections: result.collections, withheld: result.withheld });
      else {
        io.stderr.write(`✓ Wrote ${result.out} (${(bytes / 1024 / 1024).toFixed(1)} MB)\n`);
        for (const collection of result.collections) {
          const change = describeSourceChange(collection);
          io.stderr.write(`  ${collection.name}: ${number(collection.count)} records${change ? ` — the source changed during the export: ${change}` : ''}\n`);
        }
      }
      return EXIT.ok;
    } finally {
      reporter.close();
      await opened.close();
    }
  },
};
