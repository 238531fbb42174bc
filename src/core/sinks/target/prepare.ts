import type { CollectionHeader } from '../../model/record.js';
import type { CollectionInfo } from '../../chroma/api.js';
import { compareWithPlan, describeDifference, type CollectionDifference } from '../../collection/compare.js';
import { planCollection, type LeftOut } from '../../collection/plan.js';
import { retryExplained } from '../../chroma/explain.js';
import { MigrateError } from '../../util/errors.js';
import { createOnce, deleteOnce } from './idempotent.js';
import { creationProblems, targetRules } from './refusals.js';
import { count as formatCount, inQuotes } from '../../util/format.js';
import type { ImportCheckpoint } from '../../state/schema.js';
import type { ExistsChoice } from './choices.js';
import { targetKey, type CollectionImportResult, type RecordFeed, type TargetSession } from './session.js';

/** Where one collection stands before its records are sent: found, resumed, recreated or created. */
export interface PreparedCollection {
  collection: CollectionInfo;
  action: CollectionImportResult['action'];
  /** The record the writing starts from. */
  start: number;
  leftOut: LeftOut[];
  /**
   * Where the collection, read back, differs from what was asked for. A collection created here
   * is read back while its first records go (the create's own answer names it): settled once
   * read back, rejects when it cannot be.
   */
  differences: Promise<CollectionDifference[]>;
  /** The checkpoint was saved (by `claim`) while the collection was created. */
  claimed: boolean;
  /** A request to the target with the collection's retries and their progress events. */
  call: <T>(work: () => Promise<T>) => Promise<T>;
}

export function checkpointMatches(checkpoint: ImportCheckpoint, session: TargetSession, feed: RecordFeed, name: string): boolean {
  return checkpoint.fingerprint === feed.fingerprint && checkpoint.target === targetKey(session.options.target) && checkpoint.collection === name;
}

/**
 * `claim(start)`, when given, saves the collection's checkpoint: called as a new collection is
 * created, beside the create, so that it is the run's own on disk before its first record goes.
 */
export async function prepareCollection(context: TargetSession, header: CollectionHeader, name: string, feed: RecordFeed, claim?: (start: number) => Promise<void>): Promise<PreparedCollection> {
  const { options, api, store, progress } = context;
  const signal = options.signal;
  const retry = {
    signal,
    onRetry: ({ attempt, of, delayMs, error }: { attempt: number; of: number; delayMs: number; error: Error }) => progress({ type: 'retry', collection: name, attempt, of, delayMs, reason: error.message }),
  };
  const call = <T>(work: () => Promise<T>) => retryExplained(options.target, work, retry);
  // Create and delete read the collection before a retry (idempotent.ts); their failures get the same words.
  const explained = <T>(work: Promise<T>) =>
    work.catch((error: unknown) => {
      throw context.explain(error);
    });

  const found = store.current.imports.find((checkpoint) => checkpointMatches(checkpoint, context, feed, name));
  // A copy's export decides where it resumes; a checkpoint of ours counts only when it continues,
  // or when this same export sent the collection records ahead of its checkpoint (the collection
  // before it was still landing when it was stopped): it starts again from its first record.
  const sentAhead = found?.exportRun !== undefined && found.exportRun === feed.resume?.run;
  const previous = feed.resume && !feed.resume.resumed && !sentAhead ? undefined : found;
  let existing = await call(() => api.findCollection(name, { signal }));
  if (existing && existing.id === feed.sourceCollectionId) throw isTheSource(name, options.target.url);
  let action: CollectionImportResult['action'] = 'created';
  let start = 0;

  if (feed.resume && previous && (existing || feed.resume.start === 0)) {
    // The copy that stopped had made this collection: what is there is ours.
    action = existing ? 'resumed' : 'created';
    start = feed.resume.start;
  } else if (feed.resume && feed.resume.start > 0) {
    throw new MigrateError(
      'BAD_STATE',
      `The copy being resumed had sent ${formatCount(feed.resume.start)} records to ${inQuotes(name)} on ${options.target.url}, but ${existing ? 'its checkpoint is gone' : 'the collection is gone'}.`,
      'Start the copy afresh: delete the partial backup (the --out file with .partial added), or pick another --out.',
    );
  } else if (existing && previous && !previous.done) {
    action = 'resumed';
    start = previous.committed;
  } else if (existing && previous?.done && options.ifExists !== 'recreate' && options.again !== true && (feed.mend === true || (await call(() => api.count(existing!.id, { signal }))) === header.count)) {
    // This backup already finished here (the same command again, e.g. after a crash between
    // the last checkpoint and the exit): nothing to send, and not a reason to stop. The count
    // check below still runs. A copy's mend takes it whatever it holds now: it is the copy's own,
    // and what it lacks is sent again by that check (landed.ts).
    action = 'resumed';
    start = previous.committed;
  } else if (existing) {
    const count = await call(() => api.count(existing!.id, { signal }));
    const inBackup = feed.takenHere ? header.count : undefined;
    const choice = count === 0 ? 'append' : await decide(options, name, count, inBackup);
    if (choice === 'abort') {
      throw new MigrateError('EXISTS', `Collection ${inQuotes(name)} already exists on ${options.target.url} with ${formatCount(count)} records; nothing was changed.`, 'Run again with --if-exists append (upsert by id) or --if-exists recreate (delete it first).');
    }
    if (choice === 'recreate') {
      // Asked, the question said it; chosen by flag, it is said here before the delete.
      if (inBackup !== undefined && options.ifExists === 'recreate') progress({ type: 'warning', message: takenHereWarning(name, options.target.url, count, inBackup) });
      progress({ type: 'phase', message: `Deleting collection ${inQuotes(name)} (${formatCount(count)} records), as chosen` });
      await explained(deleteOnce(api, name, retry));
      existing = null;
      action = 'recreated';
    } else {
      action = 'appended';
    }
  }
  if (existing) {
    checkDimension(existing, header, name, feed.origin ?? "the backup's");
    return { collection: existing, action, start, leftOut: [], differences: Promise.resolve([]), claimed: false, call };
  }
  if (!feed.resume) start = 0;
  return { ...(await create(context, header, name, feed, { call, explained, retry, start, claim })), action, start, call };
}

/** A new collection, as planned for this target: created beside its checkpoint's save, read back beside its first records. */
async function create(
  context: TargetSession,
  header: CollectionHeader,
  name: string,
  feed: RecordFeed,
  how: {
    call: PreparedCollection['call'];
    explained: <T>(work: Promise<T>) => Promise<T>;
    retry: Parameters<typeof createOnce>[2];
    start: number;
    claim?: (start: number) => Promise<void>;
  },
): Promise<Pick<PreparedCollection, 'collection' | 'leftOut' | 'differences' | 'claimed'>> {
  const { options, api, progress } = context;
  const { call, explained, retry } = how;
  const signal = options.signal;
  const plan = planCollection(header, context.server, { space: feed.chosenSpace, cloud: options.target.cloud });
  const refused = creationProblems(name, plan.request, targetRules(context.server.capabilities, options.target.cloud));
  if (refused.length > 0) {
    throw new MigrateError(
      'CANNOT_HOLD',
      `${options.target.url} would refuse to create ${inQuotes(name)}: ${refused.map((problem) => problem.why).join('; ')}. It was not created; nothing of it was written.`,
      'Upgrade the target (the deploy guide pins chromadb/chroma:1.5.9), or leave this collection out with --collections, then run the same command again.',
    );
  }
  for (const item of plan.leftOut) progress({ type: 'warning', message: `${inQuotes(name)}: left out ${item.field} — ${item.why}.` });
  const claimed = how.claim?.(how.start) ?? null;
  claimed?.catch(() => undefined); // awaited below
  const created = await explained(createOnce(api, { name, ...plan.request }, retry));
  // Read it back: a server may quietly hold less than it was sent.
  const differences = call(() => api.findCollection(name, { signal })).then((found) => {
    if (!found) throw new MigrateError('SERVER', `Collection ${inQuotes(name)} was created on ${options.target.url} but cannot be read back.`, 'Check the server\'s logs, then run the same command again.');
    const unlike = compareWithPlan(plan, found);
    for (const difference of unlike) progress({ type: 'warning', message: `${inQuotes(name)} was not created as asked: ${describeDifference(difference)}.` });
    return unlike;
  });
  differences.catch(() => undefined); // awaited by the import, before its result
  await claimed;
  return { collection: created, leftOut: plan.leftOut, differences, claimed: claimed !== null };
}

export function isTheSource(name: string, url: string): MigrateError {
  return new MigrateError(
    'BAD_INPUT',
    `${inQuotes(name)} on ${url} is the very collection this copy reads (the same id): the source and the target are one server. Nothing was deleted or written.`,
    'Point --url at the self-hosted server, not at the source, or copy into another collection with --as NEW_NAME.',
  );
}

async function decide(options: TargetSession['options'], name: string, count: number, inBackup: number | undefined): Promise<ExistsChoice> {
  if (options.ifExists !== 'ask') return options.ifExists;
  if (!options.decideExists) {
    const here = inBackup === undefined ? '' : ` It is where this backup was taken (${formatCount(inBackup)} records in the backup).`;
    throw new MigrateError('NEEDS_ANSWER', `Collection ${inQuotes(name)} already exists with ${formatCount(count)} records.${here}`, 'Say what to do with --if-exists recreate|append|abort (there is no terminal to ask in).');
  }
  return options.decideExists({ collection: name, count, ...(inBackup === undefined ? {} : { inBackup }) });
}

function takenHereWarning(name: string, url: string, count: number, inBackup: number): string {
  return `${inQuotes(name)} on ${url} is where this backup was taken: it holds ${formatCount(count)} records now, ${formatCount(inBackup)} in the backup. Recreating it, as chosen (--if-exists recreate), loses whatever was added or changed there since the backup.`;
}

function checkDimension(existing: CollectionInfo, header: CollectionHeader, name: string, origin: string): void {
  if (existing.dimension && header.dimension && existing.dimension !== header.dimension) {
    throw new MigrateError(
      'BAD_INPUT',
      `Collection ${inQuotes(name)} on the target holds ${existing.dimension}-dimensional embeddings; ${origin} are ${header.dimension}-dimensional.`,
      'These cannot live in one collection: use --if-exists recreate, or write them under another name with --as NAME.',
    );
  }
}
