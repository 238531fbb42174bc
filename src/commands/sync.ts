import { syncCollections, type CollectionSync } from '../core/operations/sync.js';
import { statePath } from '../core/state/store.js';
import { describeEndpoint } from '../core/chroma/endpoint.js';
import { listOption, parseCommandArgs } from '../cli/args.js';
import { EXIT, writeJson, type Command } from '../cli/command.js';
import { envFor, SOURCE_HELP, SOURCE_OPTIONS, TARGET_HELP, TARGET_OPTIONS, targetFrom } from '../cli/connection-flags.js';
import { isInteractive, loadPrompts, type CommandIo } from '../cli/io.js';
import { openSource, SOURCE_PATH_HELP, SOURCE_PATH_OPTIONS } from '../cli/source-path.js';
import { createReporter, number } from '../cli/reporter.js';

const OPTIONS = {
  collections: { type: 'string' },
  all: { type: 'boolean' },
  as: { type: 'string' },
  prune: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  yes: { type: 'boolean', short: 'y' },
  json: { type: 'boolean' },
  ...SOURCE_OPTIONS,
  ...SOURCE_PATH_OPTIONS,
  ...TARGET_OPTIONS,
} as const;

/** How many ids of each kind are named in the report. */
const NAMED = 5;

export const syncCommand: Command = {
  name: 'sync',
  summary: 'Bring a target up to date with its source: upsert what was added or changed, optionally delete what is gone',
  help: `Usage: chroma-migrate sync --collections a,b | --all [--as NAME] [--prune] [--dry-run] [--out FILE] [--yes]

Compares an existing target with its source, collection by collection: the ids on each side,
and every record on both compared as verify compares (documents, metadata type for type,
embeddings as float32, uris). Upserts the records the source added or changed. Records the
source no longer has are counted and named, and deleted only with --prune (after a
confirmation; --yes gives it). Ends by comparing again: the verify against the source.
The source is only read. Interrupted? Run it again: it compares afresh and continues.

  --collections a,b     these collections (or --all); each must exist on the target
  --as NAME             the (one) collection is called NAME on the target
  --prune               delete from the target what the source no longer has
  --dry-run             print the counts and the first ids of each kind; write nothing
  --out FILE            then write a fresh backup of the source to FILE
  --yes                 confirm --prune without asking (needed without a terminal)
  --json                print the result as JSON on stdout

${SOURCE_HELP}
${SOURCE_PATH_HELP}

${TARGET_HELP}

Exit codes: 0 the target matches the source, 1 failed or still differs, 2 usage
(or --prune without a terminal and without --yes), 130 interrupted.`,

  async run(args, io) {
    const { values } = parseCommandArgs('sync', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    if (!values.all && !values.collections) {
      io.stderr.write('sync needs --collections a,b or --all.\nSee chroma-migrate sync --help.\n');
      return EXIT.usage;
    }
    const interactive = isInteractive(io);
    if (values.prune && !values['dry-run'] && !values.yes && !interactive) {
      io.stderr.write('sync --prune deletes records from the target and needs a confirmation: pass --yes (there is no terminal to ask in).\n');
      return EXIT.usage;
    }
    const env = envFor(values, io.env);
    const { target, notes } = targetFrom(values, env);
    const reporter = createReporter(io, { live: io.stderr.isTTY === true && !values.json });
    const opened = await openSource(values, env, reporter.listener);
    for (const note of notes) reporter.listener({ type: 'warning', message: note });
    reporter.listener({ type: 'phase', message: `Source: ${values['source-path'] ?? describeEndpoint(opened.source)}` });
    reporter.listener({ type: 'phase', message: `Target: ${describeEndpoint(target)}` });
    try {
      const result = await syncCollections({
        source: opened.source,
        target,
        collections: values.all ? undefined : listOption(values.collections),
        renameTo: values.as,
        prune: values.prune === true,
        dryRun: values['dry-run'] === true,
        confirmPrune: values.yes ? undefined : (removed) => askPrune(removed, target.url),
        out: values.out,
        statePath: statePath(values.state, io.env),
        signal: io.signal,
        onProgress: reporter.listener,
      });
      reporter.close();
      if (values.json) writeJson(io, { ...result, collections: result.collections.map(jsonOf) });
      else printSync(io, result.collections, result);
      return result.ok ? EXIT.ok : EXIT.failed;
    } finally {
      reporter.close();
      await opened.close();
    }
  },
};

async function askPrune(removed: number, target: string): Promise<boolean> {
  const { confirm } = await loadPrompts();
  return confirm({ message: `Delete ${number(removed)} records from ${target} that the source no longer has?`, default: false });
}

function jsonOf(entry: CollectionSync) {
  const summary = (diff: Pick<CollectionSync, 'added' | 'changed' | 'removed'>) => ({
    added: diff.added.length,
    changed: diff.changed.length,
    removed: diff.removed.length,
    addedIds: diff.added.slice(0, NAMED),
    changedIds: diff.changed.slice(0, NAMED),
    removedIds: diff.removed.slice(0, NAMED),
  });
  return { collection: entry.collection, target: entry.target, sourceCount: entry.sourceCount, targetCount: entry.targetCount, ...summary(entry), upserted: entry.upserted, deleted: entry.deleted, after: entry.after && summary(entry.after) };
}

function named(ids: string[]): string {
  return ids.length === 0 ? '' : `: ${ids.slice(0, NAMED).join(', ')}${ids.length > NAMED ? ', …' : ''}`;
}

function printSync(io: CommandIo, entries: CollectionSync[], result: { dryRun: boolean; pruned: boolean; out: string | null; ok: boolean }): void {
  const out = (text: string) => io.stderr.write(`${text}\n`);
  for (const entry of entries) {
    const ok = entry.after === null || (entry.after.added.length === 0 && entry.after.changed.length === 0 && (!result.pruned || entry.after.removed.length === 0));
    out(`${ok ? '✓' : '✗'} ${entry.collection}${entry.target === entry.collection ? '' : ` → ${entry.target}`}: ${number(entry.sourceCount)} on the source, ${number(entry.targetCount)} on the target before`);
    out(`    added      ${number(entry.added.length)}${named(entry.added)}`);
    out(`    changed    ${number(entry.changed.length)}${named(entry.changed.map((change) => `${change.id} (${change.fields.join(', ')})`))}`);
    out(`    removed    ${number(entry.removed.length)}${named(entry.removed)}`);
    if (result.dryRun) continue;
    out(`    upserted   ${number(entry.upserted)}`);
    if (result.pruned) out(`    deleted    ${number(entry.deleted)}`);
    else if (entry.removed.length > 0) out(`    kept       ${number(entry.removed.length)} records the source no longer has (sync --prune deletes them)`);
    const after = entry.after;
    if (after) out(`    verify     ${after.added.length + after.changed.length === 0 ? 'every source record is on the target, equal' : `${number(after.added.length)} still missing, ${number(after.changed.length)} still differing`}`);
  }
  if (result.dryRun) out('Dry run: nothing was written.');
  if (result.out) out(`✓ Wrote a fresh backup of the source to ${result.out}`);
}
