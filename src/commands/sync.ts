import { syncCollections, type PruneRemoval } from '../core/operations/sync.js';
import { MigrateError } from '../core/util/errors.js';
import { prunePrompt, syncJson, syncLines } from '../present/reports/sync-report.js';
import { recreateLines } from '../present/send-again.js';
import { listOption, newNameOption, OVERWRITE_FLAGS } from '../cli/args.js';
import { askReplace } from '../cli/ask.js';
import { EXIT } from '../cli/command.js';
import { CONNECTION_GROUPS, SOURCE_FLAGS, TARGET_FLAGS } from '../cli/connection-flags.js';
import { defineCommand } from '../cli/define-command.js';
import { loadPrompts } from '../cli/io.js';

export const syncCommand = defineCommand({
  name: 'sync',
  summary: 'Bring a target up to date with its source: upsert what was added or changed, optionally delete what is gone',
  usage: ['--collections a,b | --all [--as NAME] [--prune] [--dry-run] [--out FILE] [--yes]'],
  description: `Compares a target with its source, collection by collection (one the target lacks is created with
the source's settings): the ids on each side, and every record on both compared as verify compares
(documents, metadata type for type, embeddings as float32, uris). Upserts the records the source
added or changed. One way only: a record the target holds differently (edited there since the
copy) is replaced by the source's; --dry-run names them first. Records on the target that are not
on the source (deleted at the source, or written to the target since) are counted and named, and
deleted only with --prune (after a confirmation, where "no" keeps them and syncs the rest; --yes
gives it). Ends
by comparing again: the verify against the source, records and the collection's own settings and
metadata (sync names a setting that differs, and how to mend it; it changes none). The source is
only read. Interrupted? Run it again: it compares afresh and continues. With --dry-run the exit
code answers "is a sync needed?": 0 no, 1 yes (or a setting differs).`,
  flags: {
    collections: { type: 'string', arg: 'a,b', help: "these collections (or --all); one the target lacks is created with the source's settings" },
    all: { type: 'boolean', help: 'every collection' },
    as: { type: 'string', arg: 'NAME', help: 'the (one) collection is called NAME on the target' },
    prune: { type: 'boolean', help: 'delete from the target the records the source does not have (asked first)' },
    'dry-run': { type: 'boolean', help: 'print the counts and the first ids of each kind; write nothing (no --out either)' },
    out: { type: 'string', short: 'o', arg: 'FILE', help: 'then write a fresh backup of the source to FILE (also when the target still differs)' },
    ...OVERWRITE_FLAGS,
    yes: { type: 'boolean', short: 'y', help: 'confirm --prune without asking (needed without a terminal)' },
    json: { type: 'boolean', help: 'print the result as JSON on stdout' },
    ...SOURCE_FLAGS,
    ...TARGET_FLAGS,
  },
  groups: CONNECTION_GROUPS,
  examples: [
    { what: 'what changed at the source since the copy (writes nothing)', run: 'chroma-migrate sync --all --dry-run' },
    { what: 'catch up, deleting what the source deleted', run: 'chroma-migrate sync --collections docs --prune --yes' },
  ],
  exitCodes:
    '0 the target matches the source (with --dry-run: nothing to do), 1 failed or still differs (with --dry-run: records to send, create or, with --prune, delete, or a collection setting differs), 2 usage (or --prune without a terminal and without --yes), 130 interrupted.',

  async run({ values, io, interactive, json, announceTarget, openSource, unread, reporter, statePath, say, writeJson }) {
    const problem = usageProblem(values);
    if (problem) throw new MigrateError('USAGE', problem, 'See chroma-migrate sync --help.');
    if (values.prune && !values['dry-run'] && !values.yes && !interactive) {
      throw new MigrateError('USAGE', 'sync --prune deletes records from the target and needs a confirmation: pass --yes (there is no terminal to ask in).');
    }
    const target = announceTarget();
    const result = await syncCollections({
      source: await openSource('writes', values.all ? { allDatabases: false } : undefined),
      target,
      collections: values.all ? undefined : listOption(values.collections),
      renameTo: newNameOption(values.as),
      prune: values.prune === true,
      dryRun: values['dry-run'] === true,
      confirmPrune: values.yes ? undefined : (removals) => askPrune(removals, target.url),
      out: values.out,
      overwrite: values.overwrite === true,
      decideReplace: interactive ? (path) => askReplace(path, io) : undefined,
      statePath,
      signal: io.signal,
      onProgress: reporter().listener,
    });
    reporter().close();
    const left = unread();
    if (json) writeJson({ ...result, collections: result.collections.map(syncJson), ...(left.length > 0 ? { unread: left } : {}) });
    else say([...syncLines(result.collections, result, (collection) => recreateLines(values, collection)), ...left.map((note) => `! ${note}`)].join('\n'));
    return result.ok ? EXIT.ok : EXIT.failed;
  },
});

function usageProblem(values: { all?: boolean; collections?: string; as?: string; 'dry-run'?: boolean; out?: string }): string | null {
  if (!values.all && !values.collections) return 'sync needs --collections a,b or --all.';
  if (values.as !== undefined && (values.all || listOption(values.collections)?.length !== 1)) return '--as names the target of one collection: pick that one with --collections NAME (not --all, not several).';
  if (values['dry-run'] && values.out !== undefined) return '--dry-run writes nothing, so it writes no --out backup either: leave out one of them (export --out writes a backup without syncing).';
  return null;
}

async function askPrune(removals: PruneRemoval[], target: string): Promise<boolean> {
  const { confirm } = await loadPrompts();
  return confirm({ message: prunePrompt(removals, target), default: false });
}
