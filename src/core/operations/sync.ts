/**
 * `sync`: bring a target up to date with its source (a collection it lacks is created with the
 * source's settings, as copy creates it). For each collection: the id sets
 * of both sides and every record on both, compared as verify compares (sinks/diff); then the
 * source's records that the target lacks or holds differently are upserted, and with `prune` the
 * target's records the source no longer has are deleted (after `confirmPrune`), each asked for
 * at the source by id just before: one the source holds after all is sent, never deleted. It ends by
 * comparing again, which is the verify against the source: the records, and the collection's own
 * settings and metadata as verify compares them (sync names a difference there; it changes no
 * setting of an existing collection). Every run starts from what both
 * sides hold, so a run cut short (Ctrl-C, kill -9) is continued by running it again. The source
 * is only read; `out` then gets a fresh backup of the source.
 */
import { resolve } from 'node:path';
import { ChromaApi, spaceOf, type CollectionInfo } from '../chroma/api.js';
import type { BackupRecord, CollectionHeader, Space } from '../model/record.js';
import { checkCollectionSettings } from '../collection/settings-verdict.js';
import { withFixes, type SettingDifference } from '../collection/settings-fix.js';
import { comparisonSpace } from '../sinks/verifier/checker.js';
import { sourceHeader } from '../sinks/verifier/source-pass.js';
import { prepareCollection } from '../sinks/target/prepare.js';
import { sourceKey, sourceKeys, type Endpoint } from '../chroma/endpoint.js';
import { explainRequestError } from '../chroma/explain.js';
import { MigrateError } from '../util/errors.js';
import { inQuotes, shellWord, shown } from '../util/format.js';
import { checkPageFits, targetHolds } from '../sinks/target-fit.js';
import { ignoreProgress, type ProgressListener } from '../util/progress.js';
import { withRetry } from '../util/retry.js';
import { compareNames, exportCollections } from '../sources/server/export-pump.js';
import { sourceDatabase } from '../chroma/databases.js';
import { forIdListing, listIdSet, recordsByIds, type ByIdOptions, type IdPages } from '../chroma/id-list.js';
import { CLOUD_MAX_PAGE } from '../sources/server/read-window.js';
import { askSource, diffCollection, inSync, noChanges, type CollectionDiff, type Side } from '../sinks/diff/collection-diff.js';
import { deleteRecords } from '../sinks/diff/delete-records.js';
import { upsertExactly } from '../sinks/diff/exact-upsert.js';
import { collectionsOnlyOnTarget, type TargetOnly } from '../sinks/diff/target-only.js';
import { CompactIdSet } from '../util/compact-ids.js';
import { openTarget, type RecordFeed, type TargetSession } from '../sinks/target/session.js';
import { placeNotes } from '../sinks/target/place.js';
import { claimOut, writtenBySameExport, type ReplaceChoice } from '../state/replace-out.js';
import { StateStore } from '../state/store.js';

/** `overwrite`/`decideReplace`: an --out already there that is not this backup's own (state/replace-out.ts). */
export interface SyncOptions extends ReplaceChoice {
  source: Endpoint;
  target: Endpoint;
  /** Names on the source; all when empty. */
  collections?: string[];
  /** The (one) collection is called this on the target. */
  renameTo?: string;
  prune: boolean;
  dryRun: boolean;
  /** Asked before deleting, with what would be deleted from each collection; false keeps them and syncs the rest. */
  confirmPrune?: (removals: PruneRemoval[]) => Promise<boolean>;
  /** A fresh backup of the source, written after the sync. */
  out?: string;
  statePath: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** What a prune would delete from one target collection: how many records, the first of them. */
export interface PruneRemoval {
  target: string;
  count: number;
  firstIds: string[];
}

/** Both sides compared: their records (sinks/diff), and the collection itself as verify compares it. */
export interface SyncCheck extends CollectionDiff {
  /**
   * The target collection's settings and metadata that differ from the source's (none for one
   * sync creates, before it does), each with what mends it.
   */
  settings: SettingDifference[];
}

/**
 * The target matches the source: every source record there and equal, the collection's settings
 * and metadata too, and when pruning nothing else there.
 */
function matchesSource(check: SyncCheck, pruned: boolean): boolean {
  return inSync(check, pruned) && check.settings.length === 0;
}

export interface CollectionSync extends SyncCheck {
  collection: string;
  target: string;
  /** The target had no such collection: it is (or, on a dry run, would be) created with the source's settings. */
  created?: boolean;
  upserted: number;
  /**
   * Of the upserted, those the target held with a document or uri the source's lacks: deleted
   * and written again whole (an upsert leaves such a value in place), by this run.
   */
  replaced: number;
  deleted: number;
  /** The comparison after the writes (null on a dry run): what still differs. */
  after: SyncCheck | null;
  /**
   * The target matches the source: after the writes, or on a dry run already (nothing to create,
   * send or, with prune, delete). A dry run that would change something is not ok.
   */
  ok: boolean;
}

export interface SyncResult {
  collections: CollectionSync[];
  dryRun: boolean;
  /** --prune was asked (and, when records were to be deleted, confirmed); false on a dry run. */
  pruned: boolean;
  /** --prune was asked for and the answer was no: the records the source lacks were kept, and the target does not match. */
  pruneDeclined: boolean;
  out: string | null;
  /** Every collection ok: after the writes the target matches the source; on a dry run, a sync has nothing to do. */
  ok: boolean;
  /** With every collection (no names given): the target's collections the source does not have, not touched. */
  targetOnly: TargetOnly[];
}

interface Pair {
  name: string;
  targetName: string;
  source: Side;
  /** Its collectionId is empty until a collection missing on the target is created. */
  target: Side;
  /** The space records are compared in: the stricter of the two sides' (checker.ts). */
  space: Space | null;
  /** The source's collection as a backup records it: the settings the target's are compared with. */
  header: CollectionHeader;
  /** The target's collection as it was found (null when it lacks one). */
  found: CollectionInfo | null;
  /** Missing on the target: created from this (the source's settings) before the first upsert. */
  create?: CollectionHeader;
}

export async function syncCollections(options: SyncOptions): Promise<SyncResult> {
  const progress = options.onProgress ?? ignoreProgress;
  const source = await sourceDatabase(options.source, options.signal);
  const session = await openTarget({ target: options.target, ifExists: 'append', planOnly: options.dryRun, statePath: options.statePath, signal: options.signal, onProgress: progress });
  if (options.dryRun) for (const note of await placeNotes(options.target, 'a sync', options.signal)) progress({ type: 'warning', message: note });
  const pairs = await pairCollections(source, session, options);
  const everyCollection = !options.collections || options.collections.length === 0;
  const targetOnly = everyCollection ? await collectionsOnlyOnTarget(session.api, new Set(pairs.map((pair) => pair.targetName)), readOptions(options.target, options.signal)) : [];
  const results: CollectionSync[] = [];
  for (const pair of pairs) {
    progress({ type: 'phase', message: pair.create ? `${pair.targetName} is not on the target: everything in ${pair.name} is new there` : `Comparing ${pair.name} with ${pair.targetName} on the target` });
    const diff = pair.create ? await allAdded(pair) : await diffCollection(pair.name, pair.source, pair.target, { space: pair.space, progress });
    const check = { ...diff, settings: settingsDifferences(pair, pair.found, session, options.target) };
    // A dry run is ok only when a sync would have nothing to do: "is a sync needed?" answered by the exit code.
    const ok = !pair.create && matchesSource(check, options.prune);
    results.push({ ...check, collection: pair.name, target: pair.targetName, ...(pair.create ? { created: true } : {}), upserted: 0, replaced: 0, deleted: 0, after: null, ok });
  }
  if (options.dryRun) return { collections: results, dryRun: true, pruned: false, pruneDeclined: false, out: null, ok: results.every((result) => result.ok), targetOnly };
  // The backup is written last: a file under its name that is not its own is asked about before the target is.
  if (options.out) await claimBackup(source, options, pairs.map((pair) => pair.name));
  const removals = results.filter((result) => result.removed.size > 0).map((result) => ({ target: result.target, count: result.removed.size, firstIds: result.removed.slice(0, PROMPT_IDS) }));
  const removed = removals.reduce((sum, removal) => sum + removal.count, 0);
  // "No" keeps those records and sends the rest: the answer is about deleting, not about syncing.
  const prune = options.prune && removed > 0 && (options.confirmPrune ? await options.confirmPrune(removals) : true);
  const pruneDeclined = options.prune && removed > 0 && !prune;
  for (const [index, pair] of pairs.entries()) {
    const result = results[index]!;
    // Created with its first page, once that page is known to fit the target; a source collection without records, after.
    result.upserted = (await upsertFromSource(pair, addedThenChanged(result), session, options.signal, progress, source)).sent;
    if (pair.create) await createOnTarget(pair, pair.create, session, source);
    // On the target already, maybe with values the source lacks: written exactly.
    const exact = await upsertFromSource(pair, oneAfterAnother([result.changed.stale, result.misListed]), session, options.signal, progress, source, true);
    result.upserted += exact.sent;
    result.replaced += exact.replaced;
    if (prune) {
      const pruned = await deleteFromTarget(pair, result.removed, session, options.signal, progress);
      result.deleted = pruned.deleted;
      for (let at = 0; at < pruned.held.size; at++) result.misListed.add(pruned.held.idAt(at));
      const held = await upsertFromSource(pair, pruned.held, session, options.signal, progress, source, true);
      result.upserted += held.sent;
      result.replaced += held.replaced;
    }
    progress({ type: 'phase', message: `Verifying ${pair.targetName} against the source` });
    const diff = await diffCollection(pair.name, pair.source, pair.target, { space: pair.space, progress });
    const now = await pair.target.read.call(() => session.api.findCollection(pair.targetName, { signal: options.signal }));
    result.after = { ...diff, settings: settingsDifferences(pair, now, session, options.target) };
    // Asked to prune, the target matches only without records the source lacks, whether or not any were found before.
    result.ok = matchesSource(result.after, options.prune);
  }
  const ok = results.every((result) => result.ok);
  // A backup of the source, whatever the target's verdict: the source is what it copies.
  const out = options.out ? await writeBackup(source, options, pairs.map((pair) => pair.name)) : null;
  return { collections: results, dryRun: false, pruned: options.prune && !pruneDeclined, pruneDeclined, out, ok, targetOnly };
}

/** sync has no --drop-sparse: a copy of the collection does, into a collection of its own. */
const SPARSE_FIX = 'A self-hosted server cannot hold them: copy the collection with copy --drop-sparse instead (its backup keeps them), or leave it out of the sync with --collections.';

/** Ids a prune confirmation names per collection. */
const PROMPT_IDS = 3;

/**
 * The target collection's settings and metadata against the source's, by verify's comparison
 * (what importing the source's header into this server would give). A collection the target
 * lacks is created with the source's settings: nothing to compare yet.
 */
function settingsDifferences(pair: Pair, found: CollectionInfo | null, session: TargetSession, target: Endpoint): SettingDifference[] {
  return found ? withFixes(checkCollectionSettings(pair.header, found, session.server, { cloud: target.cloud }).differences, found) : [];
}

async function pairCollections(source: Endpoint, session: TargetSession, options: SyncOptions): Promise<Pair[]> {
  if (options.renameTo !== undefined && options.collections?.length !== 1) {
    throw new MigrateError('BAD_INPUT', '--as names the target of one collection, but it needs that one named.', 'Pick it with --collections NAME.');
  }
  const sourceApi = new ChromaApi(source);
  const sourceRead = readOptions(source, options.signal);
  const targetRead = readOptions(options.target, options.signal);
  const all = await sourceRead.call(() => sourceApi.allCollections({ signal: options.signal }));
  if (all.length === 0) throw new MigrateError('NOT_FOUND', `Database ${inQuotes(source.database)} at ${source.url} holds no collections: nothing to sync.`, 'Check the name given with --database (or CHROMA_DATABASE in .env).');
  const wanted = options.collections && options.collections.length > 0 ? options.collections : all.map((info) => info.name).sort(compareNames);
  const pairs: Pair[] = [];
  for (const name of wanted) {
    const info = all.find((candidate) => candidate.name === name);
    if (!info) throw new MigrateError('NOT_FOUND', `The source has no collection named ${inQuotes(name)}.`, `It has: ${all.map((entry) => entry.name).sort(compareNames).map(shown).join(', ') || '(none)'}.`);
    const targetName = options.renameTo ?? name;
    const onTarget = await targetRead.call(() => session.api.findCollection(targetName, { signal: options.signal }));
    if (onTarget) refuseOtherDimension(info, onTarget, targetName);
    const count = onTarget ? 0 : await sourceRead.call(() => sourceApi.count(info.id, { signal: options.signal }));
    // As copy creates it and verify compares with it: the source's settings as a backup keeps them (credentials withheld).
    const header = sourceHeader(info, count);
    pairs.push({
      name,
      targetName,
      space: onTarget ? comparisonSpace(spaceOf(info), spaceOf(onTarget)) : spaceOf(info),
      header,
      found: onTarget,
      source: { api: sourceApi, collectionId: info.id, read: sourceRead },
      target: { api: session.api, collectionId: onTarget?.id ?? '', read: targetRead },
      ...(onTarget ? {} : { create: header }),
    });
  }
  return pairs;
}

/**
 * One collection holds embeddings of one dimension: records of another are refused by the target
 * one upsert at a time (a raw 400). Said for the collection before anything is sent, with both
 * dimensions and what mends it.
 */
function refuseOtherDimension(atSource: CollectionInfo, onTarget: CollectionInfo, targetName: string): void {
  if (!atSource.dimension || !onTarget.dimension || atSource.dimension === onTarget.dimension) return;
  throw new MigrateError(
    'BAD_INPUT',
    `Collection ${inQuotes(targetName)} on the target holds ${onTarget.dimension}-dimensional embeddings; the source's ${inQuotes(atSource.name)} holds ${atSource.dimension}-dimensional ones, and one collection cannot hold both. Nothing was written.`,
    `Sync it into a new collection with --collections ${shellWord(atSource.name)} --as NEW_NAME, or replace the target's with the source's: chroma-migrate copy --collections ${shellWord(atSource.name)} --if-exists recreate --out FILE.`,
  );
}

/** A collection the target lacks: every source id is added, nothing to compare. */
async function allAdded(pair: Pair): Promise<CollectionDiff> {
  const ids = await listIdSet(pair.source.api, pair.source.collectionId, forIdListing({ ...pair.source.read, name: pair.name }));
  return { sourceCount: ids.size, targetCount: 0, added: ids, removed: new CompactIdSet(), changed: noChanges(), misListed: new CompactIdSet() };
}

/** The ids a plain upsert mends, the added then the changed it can write over, a page at a time: each kind stays in its compact set. */
function addedThenChanged(diff: CollectionDiff): IdPages {
  return oneAfterAnother([diff.added, diff.changed.plain]);
}

function oneAfterAnother(parts: IdPages[]): IdPages {
  return {
    size: parts.reduce((sum, part) => sum + part.size, 0),
    slice: (start, end) => {
      const ids: string[] = [];
      let at = 0;
      for (const part of parts) {
        ids.push(...part.slice(Math.max(0, start - at), Math.max(0, Math.min(end - at, part.size))));
        at += part.size;
      }
      return ids;
    },
  };
}

/**
 * Creates the collection the target lacks by the code import and copy create with (plan,
 * refusals, read back, differences named). Killed after this, the next run finds it and compares.
 */
async function createOnTarget(pair: Pair, header: CollectionHeader, session: TargetSession, source: Endpoint): Promise<void> {
  const feed: RecordFeed = { backup: `sync from ${sourceKey(source, source.database)}`, fingerprint: 'sync', records: () => noRecords() };
  const prepared = await prepareCollection(session, header, pair.targetName, feed);
  await prepared.differences; // read back: named as warnings, and a collection that cannot be read back stops here
  pair.target.collectionId = prepared.collection.id;
  pair.create = undefined;
}

async function* noRecords(): AsyncGenerator<BackupRecord[]> {}

function readOptions(endpoint: Endpoint, signal: AbortSignal | undefined): ByIdOptions {
  return {
    pageSize: endpoint.cloud ? CLOUD_MAX_PAGE : 1_000,
    signal,
    call: (work) =>
      withRetry(work, { signal }).catch((error: unknown) => {
        if (signal?.aborted) throw new MigrateError('INTERRUPTED', 'Sync interrupted.', 'Run the same command again: it compares both sides afresh and continues with what still differs.');
        throw explainRequestError(error, endpoint);
      }),
  };
}

/**
 * Sends these ids' records from the source, a page at a time. Each page is checked against what
 * the target can hold first (as copy checks it: lists on a server before 1.5, sparse vectors off
 * Cloud), so that a refusal is named before anything of it is sent; a collection the target
 * lacks is created with the first page that fits, so a refused one leaves none behind. `exact`:
 * records the target may already hold with values the source's lack, written so that the
 * target's copy is exactly the source's (sinks/diff/exact-upsert.ts).
 */
async function upsertFromSource(pair: Pair, ids: IdPages, session: TargetSession, signal: AbortSignal | undefined, progress: ProgressListener, source: Endpoint, exact = false): Promise<{ sent: number; replaced: number }> {
  const written = { sent: 0, replaced: 0 };
  if (ids.size === 0) return written;
  progress({ type: 'phase', message: `Upserting ${ids.size} records into ${pair.targetName}${exact ? ' (each as the source holds it: values the source no longer has removed)' : ''}` });
  const read = { ...pair.source.read, pageSize: Math.min(pair.source.read.pageSize, session.batchSize) };
  const holds = targetHolds(session.server, session.options.target.cloud);
  const call = pair.target.read.call;
  for await (const records of recordsByIds(pair.source.api, pair.source.collectionId, ids, read)) {
    const sent = written.sent === 0 ? `Nothing was sent to ${inQuotes(pair.targetName)}${pair.create ? ', nor was it created' : ''}.` : `The sync stopped before sending them; ${written.sent} records were sent to ${inQuotes(pair.targetName)} before.`;
    checkPageFits(pair.header, records, holds, { dropSparse: false, stopped: sent, sparseFix: SPARSE_FIX });
    if (pair.create && records.length > 0) await createOnTarget(pair, pair.create, session, source);
    if (records.length > 0 && exact) written.replaced += (await upsertExactly(session.api, pair.target.collectionId, records, { base64: session.base64, call, signal })).replaced;
    else if (records.length > 0) await call(() => session.api.upsert(pair.target.collectionId, records, { base64: session.base64 }, { signal }));
    written.sent += records.length;
    progress({ type: 'batch', collection: pair.targetName, done: written.sent, total: ids.size });
  }
  return written;
}

/**
 * Deletes these ids from the target, each asked for at the source by id just before (the
 * comparison, and a confirmation, may be minutes old): only those the source lacks then are
 * deleted. The ones it holds are handed back (`held`) to be sent instead.
 */
async function deleteFromTarget(pair: Pair, ids: CompactIdSet, session: TargetSession, signal: AbortSignal | undefined, progress: ProgressListener): Promise<{ deleted: number; held: CompactIdSet }> {
  const held = new CompactIdSet();
  if (ids.size === 0) return { deleted: 0, held };
  progress({ type: 'phase', message: `Deleting ${ids.size} records from ${pair.targetName} that are not on the source` });
  let deleted = 0;
  for (let from = 0; from < ids.size; from += session.batchSize) {
    const chunk = new CompactIdSet();
    for (const id of ids.slice(from, from + session.batchSize)) chunk.add(id);
    const asked = await askSource(pair.source, chunk);
    for (let at = 0; at < asked.held.size; at++) held.add(asked.held.idAt(at));
    const gone = asked.gone.slice(0, asked.gone.size);
    if (gone.length > 0) await pair.target.read.call(() => deleteRecords(session.api.target, pair.target.collectionId, gone, { signal }));
    deleted += gone.length;
    progress({ type: 'batch', collection: pair.targetName, done: Math.min(from + session.batchSize, ids.size), total: ids.size });
  }
  return { deleted, held };
}

async function claimBackup(source: Endpoint, options: SyncOptions, names: string[]): Promise<void> {
  const out = resolve(options.out!);
  const store = await StateStore.open(options.statePath);
  await claimOut(out, () => writtenBySameExport(store.current.exports, out, sourceKeys(source, source.database), names), options);
}

/** Claimed before the sync wrote anything (claimBackup): replaced now without asking again. */
async function writeBackup(source: Endpoint, options: SyncOptions, names: string[]): Promise<string> {
  const result = await exportCollections({ source, out: options.out!, collections: names, overwrite: true, statePath: options.statePath, signal: options.signal, onProgress: options.onProgress });
  return result.out;
}
