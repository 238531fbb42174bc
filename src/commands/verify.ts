import { existsSync } from 'node:fs';
import type { Command } from '../cli/command.js';
import { verifyAgainstSource, verifyBackup } from '../core/operations/verify.js';
import { MigrateError } from '../core/util/errors.js';
import { absentTenantNotes } from '../core/sinks/target/place.js';
import { verdictLines } from '../present/reports/verify-summary.js';
import { pruneLines, sendAgainLines } from '../present/send-again.js';
import { intOption, listOption } from '../cli/args.js';
import { EXIT } from '../cli/command.js';
import { CONNECTION_GROUPS, SOURCE_FLAGS, TARGET_FLAGS } from '../cli/connection-flags.js';
import { defineCommand } from '../cli/define-command.js';
import { ALL_DATABASES_FLAGS, parseDatabaseMap, refuseMapWithoutAllDatabases, runPerDatabase } from '../cli/sources/all-databases.js';

/** The source flags that stand in for --input: the live source is the reference. */
const REFERENCE_FLAGS = ['source-url', 'source-path', 'api-key', 'tenant', 'database'] as const;

export const verifyCommand: Command = defineCommand({
  name: 'verify',
  summary: 'Prove the target holds every record of a backup, unchanged',
  usage: ['--input FILE [options]', '--source-url URL | --api-key K --tenant T --database D [options]'],
  description: `For each collection: the count; every record compared with the backup (ids, documents,
metadatas type for type, uris, embeddings as float32: exact, or within 2 float32 steps per value
where both sides are cosine, as the server normalises vectors again) listing missing and differing
ids; and the collection itself: its metadata, embedding function, distance space, HNSW parameters and schema must
be what importing the backup into this server gives. These decide the exit code. It also measures
the target index's recall (its answers for a sample against the true nearest neighbours computed
from the records) and says what your app needs for the embedding function.

With the source's flags in place of --input, the reference is the live source itself: the id sets
both ways (ids the target lacks, ids the source no longer holds), every record type for type, and
the collection, all read from the source now. This proves the target against the source, not only
against a backup that may have missed records.`,
  flags: {
    ...ALL_DATABASES_FLAGS,
    input: { type: 'string', short: 'i', arg: 'FILE', help: 'the backup that was imported' },
    collections: { type: 'string', arg: 'a,b', help: 'only these collections' },
    collection: { type: 'string', arg: 'a,b', help: 'the same as --collections' },
    as: { type: 'string', arg: 'NAME', help: 'the (one) collection was imported under this name' },
    sample: { type: 'string', arg: 'N', help: 'records that query the index to measure its recall (default 20)' },
    parallel: { type: 'string', arg: 'N', help: 'collections in flight (default 4)' },
    rejects: {
      type: 'string',
      arg: 'FILE',
      help: "with the source's flags: the rejects file of an import or copy with --skip-invalid (BACKUP.rejects.jsonl); its records are listed as refused by the target, not as missing. With --input it is read from next to the backup",
    },
    json: { type: 'boolean', help: 'print the result as JSON on stdout' },
    ...SOURCE_FLAGS,
    ...TARGET_FLAGS,
  },
  groups: CONNECTION_GROUPS,
  examples: [
    { what: 'after an import into the server in .env', run: 'chroma-migrate verify --input backup.jsonl.gz' },
    { what: 'against Chroma Cloud itself (the keys in .env)', run: 'chroma-migrate verify --api-key "$CHROMA_API_KEY" --url https://chroma.example.com' },
  ],
  exitCodes: '0 everything matches, 1 something differs or is missing, 2 usage.',

  async run(context): Promise<number> {
    const { values, io, json, openSource, unread, announceTarget, reporter, statePath, say, writeJson } = context;
    const fromSource = REFERENCE_FLAGS.some((flag) => values[flag] !== undefined);
    if (!values.input === !fromSource) {
      const problem = values.input
        ? 'verify compares with --input FILE or with the source, not both.'
        : "verify needs --input FILE (the backup to compare with), or the source's flags (--source-url URL, or --api-key/--tenant/--database).";
      throw new MigrateError('USAGE', problem, 'See chroma-migrate verify --help.');
    }
    // A file names its databases itself; against the live source, each database is its own run.
    if (fromSource) refuseMapWithoutAllDatabases('verify', values);
    if (values['all-databases'] && fromSource) return runPerDatabase(verifyCommand, context);
    const every = (values.collections ?? values.collection) === undefined;
    const source = fromSource ? await openSource('reads', every ? { allDatabases: true } : undefined) : null;
    const common = {
      target: announceTarget(),
      collections: listOption(values.collections ?? values.collection),
      renameTo: values.as,
      sample: intOption('sample', values.sample, { min: 0, max: 10_000 }),
      parallel: intOption('parallel', values.parallel, { max: 32 }),
      statePath,
      signal: io.signal,
      onProgress: reporter().listener,
    };
    for (const note of await absentTenantNotes(common.target, io.signal)) reporter().listener({ type: 'warning', message: note });
    if (values.rejects !== undefined && !source) throw new MigrateError('USAGE', '--rejects goes with the source\'s flags; with --input the rejects file next to the backup is read.', 'See chroma-migrate verify --help.');
    if (values.rejects !== undefined && !existsSync(values.rejects)) throw new MigrateError('USAGE', `--rejects ${values.rejects}: no such file.`, 'Name the BACKUP.rejects.jsonl an import or copy with --skip-invalid wrote, or leave --rejects out.');
    const result = source
      ? await verifyAgainstSource({ ...common, source, ...(values.rejects !== undefined ? { rejects: values.rejects } : {}) })
      : await verifyBackup({ ...common, input: values.input!, databaseMap: parseDatabaseMap(values['database-map']) });
    reporter().close();
    const left = unread();
    if (json) writeJson({ ok: result.ok, collections: result.collections, ...(left.length > 0 ? { unread: left } : {}) });
    else {
      for (const line of verdictLines(result.collections, { sendAgain: sendAgainLines(values, values.input), rewrite: values.input === undefined ? undefined : sendAgainLines(values, values.input, true), prune: pruneLines(values) })) say(line);
      for (const note of left) say(`! ${note}`);
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  },
});
