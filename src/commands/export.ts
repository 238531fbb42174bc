import type { Command } from '../cli/command.js';
import { stat } from 'node:fs/promises';
import { exportCollections } from '../core/operations/export.js';
import { intOption, listOption, OVERWRITE_FLAGS } from '../cli/args.js';
import { askReplace } from '../cli/ask.js';
import { EXIT } from '../cli/command.js';
import { CONNECTION_GROUPS, SOURCE_FLAGS } from '../cli/connection-flags.js';
import { defineCommand } from '../cli/define-command.js';
import { ALL_DATABASES_FLAGS } from '../cli/sources/all-databases.js';
import { sourceDatabaseNames } from '../core/chroma/databases.js';
import { number } from '../cli/reporter.js';
import { describeSourceChange } from '../present/reports/export-summary.js';

export const exportCommand: Command = defineCommand({
  name: 'export',
  summary: 'Copy collections from Chroma Cloud (or any Chroma) into a backup file',
  recordsRun: true,
  usage: ['--out FILE [--collections a,b | --all] [options]'],
  description: `Reads every record (ids, documents, metadatas, embeddings, uris) page by page with an
explicit limit — at most 300 on Chroma Cloud, its read quota — and writes a streaming backup file
(gzip when FILE ends in .gz). Reads only: the source is never written to. Writes FILE.partial with
checkpoints and renames it at the end; run the same command again after an interruption and it
continues.`,
  flags: {
    'all-databases': ALL_DATABASES_FLAGS['all-databases'],
    out: { type: 'string', short: 'o', arg: 'FILE', help: 'the backup to write, e.g. backup.jsonl.gz', required: 'where to write the backup' },
    collections: { type: 'string', arg: 'a,b', help: 'only these collections (default: --all)' },
    all: { type: 'boolean', help: 'every collection' },
    ...OVERWRITE_FLAGS,
    'page-size': { type: 'string', arg: 'N', help: 'records per read (default: 300 from Chroma Cloud, its limit; from a server, 1000 at 384-d, fewer at higher dimensions)' },
    concurrency: {
      type: 'string',
      arg: 'N',
      help: 'reads in flight (default 8 on Chroma Cloud, halved on each 429 and grown back; 4 elsewhere; Cloud allows 10 per collection)',
    },
    parallel: { type: 'string', arg: 'N', help: 'collections in flight (default 4)' },
    json: { type: 'boolean', help: 'print the result as JSON on stdout' },
    ...SOURCE_FLAGS,
  },
  groups: CONNECTION_GROUPS,
  examples: [
    { what: 'everything in the Chroma Cloud database named in .env', run: 'chroma-migrate export --out backup.jsonl.gz' },
    { what: 'two collections, with the key given here', run: 'chroma-migrate export --out b.jsonl.gz --collections docs,faq --api-key ck-…' },
  ],
  exitCodes: '0 done, 1 failed, 2 usage, 130 interrupted (resumable).',

  async run(context): Promise<number> {
    const { values, openSource, unread, reporter, statePath, io, interactive, json, say, writeJson } = context;
    if (values['all-databases'] && values.database !== undefined) {
      say('export: --all-databases and --database name different things; use one.');
      return EXIT.usage;
    }
    const every = values.all === true || values.collections === undefined;
    const source = await openSource(undefined, every && !values['all-databases'] ? { allDatabases: true } : undefined);
    const result = await exportCollections({
      source,
      ...(values['all-databases'] ? { databases: await sourceDatabaseNames(source, { signal: io.signal }) } : {}),
      out: values.out,
      collections: values.all ? undefined : listOption(values.collections),
      overwrite: values.overwrite === true,
      decideReplace: interactive ? (path) => askReplace(path, io) : undefined,
      pageSize: intOption('page-size', values['page-size'], { max: 5_000 }),
      concurrency: intOption('concurrency', values.concurrency, { max: 32 }),
      parallel: intOption('parallel', values.parallel, { max: 32 }),
      statePath,
      signal: io.signal,
      onProgress: reporter().listener,
    });
    reporter().close();
    const bytes = (await stat(result.out)).size;
    const left = unread();
    if (json) writeJson({ ok: true, out: result.out, bytes, resumed: result.resumed, collections: result.collections, withheld: result.withheld, ...(left.length > 0 ? { unread: left } : {}) });
    else {
      say(`✓ Wrote ${result.out} (${(bytes / 1024 / 1024).toFixed(1)} MB)`);
      for (const collection of result.collections) {
        const change = describeSourceChange(collection);
        say(`  ${collection.database ? `${collection.database}/` : ''}${collection.name}: ${number(collection.count)} records${change ? ` — the source changed during the export: ${change}` : ''}`);
      }
      for (const note of left) say(`! ${note}`);
    }
    return EXIT.ok;
  },
});
