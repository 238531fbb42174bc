import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BackupRecord, CollectionHeader } from '../../model/record.js';
import { storedHeader, withheldFields } from '../../backup/jsonl/format.js';
import { rewriteWithout } from '../../backup/jsonl/rewrite.js';
import { count } from '../../util/format.js';
import { checkAgainstSource, type EndCheck } from './end-check.js';
import { BackupWriter, holdsWhatWasWritten } from '../../backup/jsonl/writer.js';
import { ChromaApi, spaceOf, type CollectionInfo, type GetPage } from '../../chroma/api.js';
import { isQuotaError, listIds, pageRecords } from '../../chroma/id-list.js';
import type { Endpoint } from '../../chroma/endpoint.js';
import { explainRequestError, withServerRetry } from '../../chroma/explain.js';
import { MigrateError } from '../../util/errors.js';
import { ignoreProgress, type ProgressListener } from '../../util/progress.js';
import { describeTakeOver, lockFile } from '../../util/file-lock.js';
import { checkWritablePath } from '../../util/out-path.js';
import type { CompactIdSet } from '../../util/compact-ids.js';
import type { IdsAgainst } from '../../util/ids-against.js';
import { inspectBackup } from '../../backup/read.js';
import type { ExportCheckpoint } from '../../state/schema.js';
import { StateStore } from '../../state/store.js';
import { CLOUD_DEFAULT_READS, CLOUD_MAX_CONCURRENT_READS, CLOUD_MAX_PAGE, ReadWindow, serverPageSize } from './read-window.js';
import { resolveTenant } from '../../chroma/tenant.js';
import { DEFAULT_PARALLEL } from '../../util/pool.js';
import { Lookahead, startedNow } from './lookahead.js';
export { resolveTenant };

export interface ExportOptions {
  source: Endpoint;
  out: string;
  /** Names to export; all when empty. */
  collections?: string[];
  /** Records per read: by default 300 from Cloud (its quota), serverPageSize from any other server. */
  pageSize?: number;
  concurrency?: number;
  statePath: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** How often (records) the partial file is flushed and the checkpoint saved. */
  checkpointEvery?: number;
  /** Collections open at once (default DEFAULT_PARALLEL): see lookahead.ts; as many write at once (handOver). */
  parallel?: number;
  /** Also hands every page to this (a copy's import): see ExportSink. */
  sink?: ExportSink;
}

/**
 * A consumer of the pages as they are read, e.g. a copy upserting them into the target. The
 * export checkpoints no further than the sink has made safe, so one resume point serves both:
 * after a crash the export reads again, and the sink receives again, from the same record.
 */
export interface ExportSink {
  /**
   * Called before the collection's first page; `resumed`: the export is continuing it from
   * `start`. `run` names this export over its resumes (ExportCheckpoint.run).
   */
  open(header: CollectionHeader, place: { resumed: boolean; start: number; run: string }): CollectionSink;
  /**
   * Every collection's sink has ended (all their records are safe downstream); the file's own
   * finishing work (its end, the rewrite of what the source dropped, its read back) comes next.
   */
  allEnded?(): void;
}

interface CollectionSink {
  /** Takes the next page; resolves when there is room for another (backpressure), rejects when the sink failed. */
  push(records: BackupRecord[]): Promise<void>;
  /** Records from the collection's start that are safe downstream. */
  readonly committed: number;
  /** Calls `listener` each time `committed` moves (a resume point may have been reached). */
  onCommit(listener: () => void): void;
  /**
   * Present when the sink compares what it holds with the source's ids once everything has
   * landed (a copy's closing check): resolves when every record pushed so far is safe downstream.
   * `inFile`: the ids the file holds of the collection so far, which the sink may list its own
   * side against (ids-against.ts) instead of holding a set of its own.
   * The export's end check of the last collection then waits for it (and for the collection before
   * to land), lists the source then, and hands that one listing on with end(): the sink need not
   * list the source again (at a million ids, a listing by offset took ~4 minutes of the server).
   */
  settle?(inFile: CompactIdSet): Promise<void>;
  /**
   * No more pages (`exported` records in all, what the file holds at the end): resolves when the
   * sink has taken them all, maybe before they are safe downstream (see landed). `dropped`: ids
   * pushed earlier that the source no longer holds (deleted while the export ran), to be removed
   * downstream too. `listed`: the source's ids as the end check listed them after settle() (against
   * the file's ids), which the file (and what was pushed) was brought to; absent when the end
   * check did not wait.
   */
  end(exported: number, dropped: string[], listed?: IdsAgainst): Promise<void>;
  /** After end: resolves when everything pushed is safe downstream, rejects when the sink failed. */
  landed(): Promise<void>;
  /** The export failed: stop, and wait for the sink to settle. */
  abort(error: unknown): Promise<void>;
}

/** One collection as the file holds it, and how the source changed while it was read (when it did). */
export interface ExportedCollection {
  name: string;
  /** Its database, in a file that holds several. */
  database?: string;
  count: number;
  /** Records the pages missed, read by id at the end. */
  added?: number;
  /** Records deleted at the source during the export, left out of the file; the first few ids. */
  deleted?: number;
  deletedIds?: string[];
}

export interface ExportResult {
  out: string;
  collections: ExportedCollection[];
  resumed: boolean;
  /** Credential fields of a collection's settings left out of the file, by path. */
  withheld: Array<{ collection: string; fields: string[] }>;
}

export async function exportCollections(options: ExportOptions): Promise<ExportResult> {
  const progress = options.onProgress ?? ignoreProgress;
  // Before anything else, so a second run on the same file stops at once, naming the first.
  const partial = `${resolve(options.out)}.partial`;
  await checkWritablePath(resolve(options.out));
  await checkWritablePath(partial);
  const lock = await lockFile(partial, { command: options.sink ? 'copy' : 'export' });
  if (lock.tookOverFrom) progress({ type: 'warning', message: describeTakeOver(partial, lock.tookOverFrom) });
  try {
    return await exportLocked(options, progress);
  } finally {
    await lock.release();
  }
}

async function exportLocked(options: ExportOptions, progress: ProgressListener): Promise<ExportResult> {
  const signal = options.signal;
  const source = await resolveTenant(options.source, signal);
  const api = new ChromaApi(source);
  const sourceName = `${source.url}/${source.tenant}/${source.database}`;
  const paging = choosePaging(options.pageSize, source.cloud);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? (source.cloud ? CLOUD_DEFAULT_READS : 4), source.cloud ? CLOUD_MAX_CONCURRENT_READS : 16));
  const reads = new ReadWindow(concurrency);
  const call = <T>(collection: string | null, work: () => Promise<T>, window = reads) =>
    withServerRetry(source, work, {
      signal,
      onRetry: ({ attempt, of, delayMs, error }) => {
        if (error.kind === 'rate-limit') window.slowDown();
        progress({ type: 'retry', collection, attempt, of, delayMs, reason: error.message });
      },
    }).catch((error: unknown) => {
      if (signal?.aborted) throw interrupted(options.out);
      throw explainRequestError(error, source);
    });

  const checkpointEvery = options.checkpointEvery ?? 3_000;

  progress({ type: 'phase', message: `Listing collections on ${source.cloud ? 'Chroma Cloud' : source.url}` });
  const all = await call(null, () => api.allCollections({ signal }));
  const chosen = choose(all, options.collections);
  const names = chosen.map((info) => info.name);

  const out = resolve(options.out);
  const partial = `${out}.partial`;
  const store = await StateStore.open(options.statePath);
  const previous = store.current.exports.find(
    (checkpoint) => checkpoint.out === out && checkpoint.source === sourceName && !checkpoint.done && sameNames(checkpoint.collections, names),
  );
  const resumed = previous !== undefined && existsSync(partial) && previous.bytes > 0;
  const state: ExportState = {
    checkpoint: resumed ? previous : { out, partial, source: sourceName, collections: names, finished: [], current: null, bytes: 0, done: false, updatedAt: '', run: new Date().toISOString() },
    sink: null,
    landing: [], landingDepth: landingDepthOf(options.parallel),
    gate: Promise.resolve(),
    saved: Promise.resolve(),
    finishing: null,
  };
  const save = checkpointSaver(store, state);
  // A resumed export keeps its run; one begun by an older version gets one before it sends anything.
  const run = state.checkpoint.run ?? new Date().toISOString();
  if (state.checkpoint.run === undefined) await save({ run });

  const description = { url: source.url, tenant: source.tenant, database: source.database, cloud: source.cloud };
  const writer = resumed
    ? await BackupWriter.open(partial, { resumeAtBytes: state.checkpoint.bytes })
    : await BackupWriter.open(partial, { source: description });
  const withheld: ExportResult['withheld'] = [];
  const todo = chosen.filter((info) => !state.checkpoint.finished.some((done) => done.name === info.name));
  progress({ type: 'plan', collections: chosen.length, done: chosen.length - todo.length });
  // Collections after the current one are opened ahead (count, header, first pages, a copy's
  // target collection), each with a read window of its own: Cloud's read limit is per collection.
  const lookahead = openingAhead(todo, options, { api, call, paging, concurrency, run });
  try {
    const collectionRun: CollectionRun = { options, progress, api, call, reads, paging, checkpointEvery, writer, withheld, lookahead, save, state, run };
    for (const [index, info] of todo.entries()) await exportOne(collectionRun, info, index, index === todo.length - 1);
    // The last collection's end was saved once it had landed: every collection has.
    options.sink?.allEnded?.();
    await writer.finish();
    // Records deleted at the source during the export, and repeats, leave the file now.
    const drops = new Map(
      state.checkpoint.finished.filter((done) => (done.deletedIds?.length ?? 0) > 0 || (done.repeated ?? 0) > 0).map((done) => [done.name, { ids: new Set(done.deletedIds ?? []), count: done.count }]),
    );
    if (drops.size > 0) {
      progress({ type: 'phase', message: `Leaving out of ${options.out} what the source no longer holds` });
      await rewriteWithout(partial, drops, description, signal);
    }
    await readBack(partial, state.checkpoint.finished, drops.size > 0 ? null : writer, signal);
  } catch (error) {
    await state.sink?.abort(error);
    await Promise.all(state.landing.map((entry) => entry.sink.abort(error)));
    await lookahead.abandon(error);
    await writer.abort().catch(() => undefined);
    if (signal?.aborted && !(error instanceof MigrateError)) throw interrupted(options.out);
    throw error;
  }
  // Done is saved before the file takes its name, so a file under that name always has its
  // checkpoint saying so (a kill in between leaves a .partial, which is read again). Every reader
  // of a done export also asks for the file.
  await save({ done: true });
  await rename(partial, out);
  await store.update((saved) => ({
    ...saved,
    backupPath: out,
    steps: { ...saved.steps, export: { status: 'done', at: new Date().toISOString(), detail: `${out}: ${state.checkpoint.finished.map((done) => `${done.name} ${done.count}`).join(', ')}` } },
  }));
  return { out, collections: state.checkpoint.finished.map(exportedCollection), resumed, withheld };
}

/**
 * Each save writes the checkpoint as it is when asked, in the order asked, once the gate lets it:
 * a collection is finished on disk only when everything before it has landed (see handOver).
 */
function checkpointSaver(store: StateStore, state: ExportState): CollectionRun['save'] {
  return (change, gate = state.gate) => {
    state.checkpoint = { ...state.checkpoint, ...change, updatedAt: new Date().toISOString() };
    const checkpoint = state.checkpoint;
    state.saved = state.saved
      .then(() => gate)
      .then(async () => {
        await store.update((saved) => ({
          ...saved,
          exports: [...saved.exports.filter((entry) => entry.out !== checkpoint.out), checkpoint],
        }));
      });
    // Awaited by whoever needs it on disk, and at the end; a failure stops the export at the next collection.
    state.saved.catch((error: unknown) => (state.saveFailed ??= { error }));
    return state.saved;
  };
}

/** Where an export stands: its checkpoint (saved after each place the file can be cut) and the open collection's second sink. */
interface ExportState {
  checkpoint: ExportCheckpoint;
  sink: CollectionSink | null;
  /**
   * Collections before the current one, oldest first, from the oldest not yet landed: every page
   * handed to their sinks, maybe not all landed.
   */
  landing: Array<{ sink: CollectionSink; landed: boolean }>;
  /** At most this many collections before the current one are not all on disk yet (landingDepthOf). */
  landingDepth: number;
  /** Settles when the collection before the current one has landed: saves asked for after it wait for it. */
  gate: Promise<void>;
  /** The last save asked for, on disk when it resolves. */
  saved: Promise<void>;
  /** A save failed: every later one fails too (they queue behind it), and the export stops. */
  saveFailed?: { error: unknown };
  /**
   * A collection in the file but not yet finished in the checkpoint: its end goes to disk with
   * the next collection's first save, and its own places are saved until then (`close` stops them).
   */
  finishing: { entry: ExportCheckpoint['finished'][number]; close: () => void } | null;
}

/** What exporting one collection needs from the run around it. */
interface CollectionRun {
  options: ExportOptions;
  progress: ProgressListener;
  api: ChromaApi;
  call: <T>(collection: string | null, work: () => Promise<T>, window?: ReadWindow) => Promise<T>;
  reads: ReadWindow;
  paging: Paging;
  checkpointEvery: number;
  writer: BackupWriter;
  withheld: ExportResult['withheld'];
  lookahead: ReturnType<typeof openingAhead>;
  /** Saves a change once `gate` (by default the landing of the collection before the current one) settles. */
  save: (change: Partial<ExportCheckpoint>, gate?: Promise<void>) => Promise<void>;
  state: ExportState;
  /** ExportCheckpoint.run. */
  run: string;
}

/** One collection into the file (and the second sink): header, pages, the end check against the source's ids, the end line. */
async function exportOne(run: CollectionRun, info: CollectionInfo, index: number, last: boolean): Promise<void> {
  const { options, progress, api, call, reads, paging, checkpointEvery, writer, save, state } = run;
  const signal = options.signal;
  const current = state.checkpoint.current?.name === info.name ? state.checkpoint.current : null;
  let offset = current?.offset ?? 0;
  // This collection's own saves wait for the one before it to land, not for itself.
  const gate = state.gate;
  const { opened, total, headerSaved } = await openCollection(run, info, index, current);
  const sink = state.sink;
  progress({ type: 'collection-start', collection: info.name, total, done: offset, resumed: current !== null });

  // Places the file could be cut at, oldest first, waiting for the sink to catch up with them;
  // saved in turn, as the sink commits (the last pages are read long before they land), until
  // the next collection's first save says this one is finished.
  const places: Array<{ offset: number; bytes: number }> = [];
  let open = true;
  let saving: Promise<void> = headerSaved;
  const saveReached = () => {
    saving = saving.then(async () => {
      let reached: { offset: number; bytes: number } | undefined;
      while (open && places.length > 0 && places[0]!.offset <= (sink?.committed ?? Infinity)) reached = places.shift();
      if (reached) await save({ current: { name: info.name, offset: reached.offset, total }, bytes: reached.bytes }, gate);
    });
    saving.catch(() => undefined); // awaited at the collection's end
  };
  sink?.onCommit(saveReached);
  let sinceCheckpoint = 0;
  let checkpointAt = Date.now();
  for await (const page of opened?.pages ?? readPages(api, info.id, { offset, total, paging, dimension: info.dimension, window: reads, signal, call: (work) => call(info.name, work) })) {
    await writer.writeRecords(page);
    await sink?.push(page);
    offset += page.length;
    sinceCheckpoint += page.length;
    // By size and by time: a slow source still leaves a recent place to resume from.
    if (sinceCheckpoint >= checkpointEvery || Date.now() - checkpointAt >= 2_000) {
      sinceCheckpoint = 0;
      checkpointAt = Date.now();
      places.push({ offset, bytes: await writer.checkpoint() });
    }
    saveReached();
    progress({ type: 'batch', collection: info.name, done: offset, total: Math.max(total, offset) });
  }
  // The last collection of a sink that checks against the source itself (a copy's closing
  // check): every record sent has landed before the source is listed, and that one listing serves both.
  const shared = last && sink?.settle !== undefined;
  const end = await endCheck(run, info, { shared, readOne: offset < pageSizeOf(paging, info.dimension), sourceIds: opened?.sourceIds }, async (records) => {
    await writer.writeRecords(records);
    await sink?.push(records);
    offset += records.length;
  });
  const changed = describeChange(info.name, end);
  if (changed) progress({ type: 'warning', message: changed });
  if (sink) await handOver(state, sink, end, shared);
  await writer.writeCollectionEnd(info.name, offset);
  const entry = { name: info.name, count: end.count, ...(end.added > 0 ? { added: end.added } : {}), ...(end.deletedIds.length > 0 ? { deletedIds: end.deletedIds } : {}), ...(end.repeated > 0 ? { repeated: end.repeated } : {}) };
  await finishCollection(run, entry, last, {
    close: () => (open = false),
    saved: () => saving,
  });
  progress({ type: 'collection-done', collection: info.name, done: end.count, total });
}

/**
 * The file's ids against the source's ids as they are now (end-check.ts). `shared`: the sink
 * compares the same listing with what it holds, so it is taken once every record pushed has
 * landed (the collections' before this one too), as that comparison's own would have been.
 */
async function endCheck(
  run: CollectionRun,
  info: CollectionInfo,
  how: { shared: boolean; readOne: boolean; sourceIds?: Promise<string[] | null> },
  add: (records: BackupRecord[]) => Promise<void>,
): Promise<EndCheck> {
  const { options, progress, api, call, writer, state } = run;
  if (how.shared) {
    progress({ type: 'phase', message: `Waiting for the last records of "${info.name}" to land` });
    // Collections before this one may still be landing, side by side (handOver).
    await Promise.all(state.landing.map((entry) => entry.sink.landed()));
    await state.sink?.settle?.(writer.openIds.ids);
  }
  progress({ type: 'phase', message: `Checking "${info.name}" against the source's ids` });
  // Listed ahead only holds when the one page read was short (the read ended there): a full page
  // means the collection grew, and later pages were read after that listing.
  const listed = !how.shared && how.sourceIds && how.readOne ? ((await how.sourceIds) ?? undefined) : undefined;
  return checkAgainstSource(api, info.id, writer.openIds, {
    call: (work) => call(info.name, work),
    signal: options.signal,
    listed,
    // Every page was read: nothing else of the export reads this collection now.
    ...(how.shared ? { reads: SHARED_LISTING_READS } : {}),
    add,
  });
}

/** Pages in flight of a listing taken once every page was read: 8 of the 10 concurrent reads Cloud allows a collection. */
const SHARED_LISTING_READS = 8;

/**
 * The collection's count, header and sink: opened ahead, or (resumed part-way) here. A new
 * collection's header goes into the file and its place is saved; that save waits while the
 * collection before it lands (see handOver), and so do its pages only when nothing is landing:
 * a collection's first records reach the target after its export run is on disk.
 */
async function openCollection(
  run: CollectionRun,
  info: CollectionInfo,
  index: number,
  current: ExportCheckpoint['current'],
): Promise<{ opened: Awaited<ReturnType<CollectionRun['lookahead']['take']>> | null; total: number; headerSaved: Promise<void> }> {
  const { options, progress, api, call, writer, withheld, lookahead, save, state } = run;
  const signal = options.signal;
  if (current) lookahead.openAfter(index);
  const opened = current ? null : await lookahead.take(index);
  if (opened) state.sink = opened.sink;
  const total = opened?.total ?? (await call(info.name, () => api.count(info.id, { signal })));
  // A resumed collection's header is in the file already; a sink still needs it.
  const header = opened?.header ?? (options.sink ? await collectionHeader(api, info, total, (work) => call(info.name, work), signal) : null);
  let headerSaved: Promise<void> = Promise.resolve();
  if (!current && header) {
    noteWithheld(header, withheld, progress);
    await writer.writeCollectionHeader(header);
    const bytes = await writer.checkpoint();
    // The collection before this one is finished on disk with this save, once it has landed.
    const finishing = state.finishing;
    state.finishing = null;
    finishing?.close();
    headerSaved = save({ ...(finishing ? { finished: [...state.checkpoint.finished, finishing.entry] } : {}), current: { name: info.name, offset: 0, total }, bytes });
    if (state.landing.length === 0) await headerSaved;
  }
  if (current && header && options.sink) state.sink = options.sink.open(storedHeader(header), { resumed: true, start: current.offset, run: run.run });
  return { opened, total, headerSaved };
}

/**
 * Every page is in the sink: the export goes on to the next collection while this one's last
 * batches land (a small collection is often one batch, whose round trip and ingest would
 * otherwise pass with nothing else in flight). The export gets at most `landingDepth`
 * collections ahead of the oldest one not yet landed: so many are sent again after a kill, at
 * worst. Saves asked for from now on wait for this one to land, above all the next collection's
 * first, which says this one is finished; saves go to disk in the order asked, so a collection
 * is finished on disk only once every one before it has landed too. Killed before, the
 * checkpoint still names the oldest collection not yet landed at its last saved place, and the
 * records of those after it sent so far are known by the export's run (prepare.ts).
 */
async function handOver(state: ExportState, sink: CollectionSink, end: EndCheck, shared: boolean): Promise<void> {
  await sink.end(end.count, end.deletedIds, shared ? end.source : undefined);
  // Still the export's open sink until here: stopped with it if what follows throws (so does a
  // failed landing, awaited here).
  while (state.landing.length >= state.landingDepth) {
    await state.landing[0]!.sink.landed();
    dropLanded(state);
  }
  if (state.saveFailed) throw state.saveFailed.error;
  state.sink = null;
  const entry = { sink, landed: false };
  state.landing.push(entry);
  state.gate = sink.landed();
  state.gate.then(() => {
    entry.landed = true;
    dropLanded(state);
  }, () => undefined); // a failure reaches the saves that wait for it, and the copy
}

/** The oldest collections that have landed leave the landing list (one still landing keeps those after it). */
function dropLanded(state: ExportState): void {
  while (state.landing[0]?.landed) state.landing.shift();
}

/**
 * How far the export gets ahead of the oldest collection not yet landed. Measured raw on a
 * single node (100 collections of 200 × 384-d over +40 ms): one collection at a time 34.5 s, two
 * 21.7 s, four 17.3 s: its small upserts wait on their round trip and its commit more than on
 * its CPU, so a copy of many small ones keeps `parallel` collections writing: the current one
 * and those landing.
 */
function landingDepthOf(parallel: number | undefined): number {
  return Math.max(1, (parallel ?? DEFAULT_PARALLEL) - 1);
}

/**
 * The collection is in the file. The last one's end is saved once it has landed; any other's
 * goes to disk with the next collection's first save (its header: one fsync of the file and of
 * the state instead of two each, which a copy of many small collections paid on every one), and
 * its places are saved as it lands until then. Killed in between, the checkpoint still names this
 * collection at its last saved place: a resume reads it again from there (the target takes the
 * same upserts again), so nothing is lost, only repeated.
 */
async function finishCollection(
  run: CollectionRun,
  entry: ExportCheckpoint['finished'][number],
  last: boolean,
  places: { close: () => void; saved: () => Promise<void> },
): Promise<void> {
  if (!last) {
    run.state.finishing = { entry, close: places.close };
    return;
  }
  await run.state.gate;
  places.close();
  await places.saved();
  await run.save({ current: null, finished: [...run.state.checkpoint.finished, entry], bytes: await run.writer.checkpoint() });
}

function exportedCollection(done: ExportCheckpoint['finished'][number]): ExportedCollection {
  const deleted = done.deletedIds ?? [];
  return {
    name: done.name,
    count: done.count,
    ...(done.added ? { added: done.added } : {}),
    ...(deleted.length > 0 ? { deleted: deleted.length, deletedIds: deleted.slice(0, 20) } : {}),
  };
}

/** "2,000 added after they were missed, 2,000 deleted during the export": null when the source held still. */
function describeChange(name: string, end: EndCheck): string | null {
  if (end.added === 0 && end.deletedIds.length === 0) return null;
  const parts = [
    end.added > 0 ? `${count(end.added)} added after they were missed` : '',
    end.deletedIds.length > 0 ? `${count(end.deletedIds.length)} deleted during the export (left out of the backup: ${end.deletedIds.slice(0, 5).join(', ')}${end.deletedIds.length > 5 ? ', …' : ''})` : '',
  ].filter(Boolean);
  return `The source changed while "${name}" was read: ${parts.join(', ')}. The backup holds what the source held at the end.`;
}

/**
 * The finished file, read back whole before it takes its name: its trailer, every record line and
 * each collection's count must be what was written. A file that fails is left as .partial.
 * Written whole by this run's `writer` (not resumed, not rewritten): every byte on disk must be
 * the writer's, whose counts must be the checkpoint's. Otherwise every line is read and checked.
 */
async function readBack(partial: string, written: Array<{ name: string; count: number }>, writer: BackupWriter | null, signal?: AbortSignal): Promise<void> {
  const expected = written.map((entry) => `${entry.name} ${entry.count}`).join(', ');
  const whole = writer?.written ?? null;
  if (whole) {
    const found = whole.collections.map((entry) => `${entry.name} ${entry.count}`).join(', ');
    if (found === expected && (await holdsWhatWasWritten(partial, whole, signal))) return;
    throw new MigrateError('MISMATCH', `The finished backup ${partial} is not what the export wrote (it wrote ${expected || 'no collections'}).`, 'Check the disk and that no other program writes to that file, then run the same command again.');
  }
  const summary = await inspectBackup(partial, { signal });
  const found = summary.collections.map((header) => `${header.name} ${header.count}`).join(', ');
  if (found !== expected) {
    throw new MigrateError('MISMATCH', `The finished backup ${partial} holds ${found || 'no collections'}, but the export wrote ${expected || 'none'}.`, 'Check the disk and that no other program writes to that file, then run the same command again.');
  }
}

/** Credential fields of a collection's settings stay out of the file: said once, and listed in the result. */
function noteWithheld(header: CollectionHeader, withheld: ExportResult['withheld'], progress: ProgressListener): void {
  const fields = withheldFields(header);
  if (fields.length === 0) return;
  withheld.push({ collection: header.name, fields });
  progress({ type: 'warning', message: `"${header.name}": withheld from the backup, as credentials: ${fields.join(', ')}. The app supplies them itself on the target.` });
}

/** The collections to do, each opened ahead (see lookahead.ts) with a read window of its own. */
function openingAhead(
  todo: CollectionInfo[],
  options: ExportOptions,
  source: { api: ChromaApi; call: <T>(collection: string | null, work: () => Promise<T>, window?: ReadWindow) => Promise<T>; paging: Paging; concurrency: number; run: string },
): Lookahead<CollectionSink> {
  const { api, call, paging, concurrency, run } = source;
  const signal = options.signal;
  return new Lookahead<CollectionSink>(todo, options.parallel ?? DEFAULT_PARALLEL, async (info) => {
    const total = await call(info.name, () => api.count(info.id, { signal }));
    const window = new ReadWindow(concurrency);
    const pages = startedNow(readPages(api, info.id, { offset: 0, total, paging, dimension: info.dimension, window, signal, call: (work) => call(info.name, work, window) }));
    // The first page's first record is the record a header's own read would ask for: a round
    // trip less per collection.
    const first = await pages.started;
    const header = await collectionHeader(api, info, total, (work) => call(info.name, work), signal, first.done === true ? [] : first.value);
    // Within one page, the first read is the whole read: the end check's listing of the source's
    // ids can follow it now instead of at the collection's turn (a round trip or three of each
    // small collection's, overlapped with the collection before it).
    const sourceIds = total < pageSizeOf(paging, info.dimension) ? pages.started.then(() => listIds(api, info.id, { call: (work) => call(info.name, work), signal })).catch(() => null) : undefined;
    // The sink gets the header as the file keeps it (no secrets): a copy's target and a later verify of the file agree.
    return { total, header, pages, sourceIds, sink: options.sink ? options.sink.open(storedHeader(header), { resumed: false, start: 0, run }) : null };
  });
}

function interrupted(out: string): MigrateError {
  return new MigrateError('INTERRUPTED', `Export to ${out} interrupted.`, 'Run the same command again to continue from the last checkpoint.');
}

/** The same names in the same order (a checkpoint belongs to one selection of collections). */
export function sameNames(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}

/** By code unit, not locale: the order (and so a resume's key) must not depend on the machine. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function choose(all: CollectionInfo[], wanted: string[] | undefined): CollectionInfo[] {
  // The server lists in no fixed order; by name, a backup (and its resume key) is reproducible.
  if (!wanted || wanted.length === 0) return [...all].sort((a, b) => compareNames(a.name, b.name));
  const missing = wanted.filter((name) => !all.some((info) => info.name === name));
  if (missing.length > 0) {
    throw new MigrateError(
      'NOT_FOUND',
      `The source has no collection named ${missing.map((name) => `"${name}"`).join(', ')}.`,
      `It has: ${all.map((info) => info.name).sort().join(', ') || '(none)'}.`,
    );
  }
  return wanted.map((name) => all.find((info) => info.name === name) as CollectionInfo);
}

export async function collectionHeader(
  api: ChromaApi,
  info: CollectionInfo,
  total: number,
  call: <T>(work: () => Promise<T>) => Promise<T>,
  signal?: AbortSignal,
  /** The collection's first page, when it was read already. */
  firstPage?: BackupRecord[],
): Promise<CollectionHeader> {
  const firstEmbedding = firstPage ? firstPage[0]?.embedding : total > 0 ? (await call(() => api.get(info.id, { limit: 1, offset: 0, include: ['embeddings'] }, { signal }))).embeddings?.[0] : null;
  const dimension = firstEmbedding?.length ?? info.dimension ?? null;
  // The collection itself, not just its space: embedding function, HNSW settings, schema.
  // The writer withholds credential fields (backup/secrets.ts) and names them.
  return {
    name: info.name,
    metadata: info.metadata ?? null,
    space: spaceOf(info),
    count: total,
    dimension,
    configuration: info.configuration_json ?? null,
    schema: info.schema ?? null,
  };
}

/**
 * Records per read for one run, shared by its collections: `fixed` (the user's --page-size, or
 * Cloud's 300), else by each collection's dimension (serverPageSize) until a server (or a proxy
 * in front of it) answers a larger page with Cloud's quota error: Cloud's 300 from then on.
 */
interface Paging {
  fixed: number | null;
  shrunk: boolean;
}

function choosePaging(asked: number | undefined, cloud: boolean): Paging {
  if (asked !== undefined) return { fixed: Math.max(1, Math.min(asked, cloud ? CLOUD_MAX_PAGE : 5_000)), shrunk: false };
  return { fixed: cloud ? CLOUD_MAX_PAGE : null, shrunk: false };
}

function pageSizeOf(paging: Paging, dimension: number | null | undefined): number {
  return paging.fixed ?? (paging.shrunk ? CLOUD_MAX_PAGE : serverPageSize(dimension));
}

/**
 * Pages in order with up to `concurrency` reads in flight: pages within the known count are
 * fetched ahead; past it we continue one page at a time until a short page shows the end. A
 * page refused for Cloud's quota is read again from its own offset in Cloud's size (see Paging);
 * positions are records from the start, so a checkpoint holds whatever the page size.
 */
async function* readPages(
  api: ChromaApi,
  id: string,
  options: {
    offset: number;
    total: number;
    paging: Paging;
    dimension: number | null | undefined;
    window: ReadWindow;
    signal?: AbortSignal;
    call: <T>(work: () => Promise<T>) => Promise<T>;
  },
): AsyncGenerator<BackupRecord[]> {
  const { paging } = options;
  const fetchPage = (offset: number): QueuedPage => {
    const size = pageSizeOf(paging, options.dimension);
    const page = options
      .call(() => api.get(id, { limit: size, offset, include: ['embeddings', 'documents', 'metadatas', 'uris'] }, { signal: options.signal }))
      .then((records) => {
        options.window.succeeded();
        return records;
      });
    // A page read ahead can fail (Ctrl-C, the source gone) while the generator waits at `yield`
    // for the writer: observed here, it is still thrown where it is awaited, and never becomes
    // an unhandled rejection that kills the process mid-save.
    page.catch(() => undefined);
    return { offset, size, page };
  };
  const queue: QueuedPage[] = [];
  let next = options.offset;
  const queueNext = () => {
    queue.push(fetchPage(next));
    next += queue[queue.length - 1]!.size;
  };
  const fill = () => {
    while (queue.length < options.window.limit && next < options.total) queueNext();
  };
  fill();
  while (queue.length > 0) {
    const head = queue.shift() as QueuedPage;
    const page = await head.page.catch((error: unknown) => {
      if (!(paging.fixed === null && head.size > CLOUD_MAX_PAGE && isQuotaError(error))) throw error;
      paging.shrunk = true;
      return null;
    });
    if (page === null) {
      // Read again from the refused page on, in Cloud's size; the pages queued behind it are dropped.
      queue.length = 0;
      next = head.offset;
      fill();
      if (queue.length === 0) queueNext();
      continue;
    }
    fill();
    const records = pageRecords(page);
    if (records.length > 0) yield records;
    if (records.length < head.size) return;
    // The collection grew after counting: carry on sequentially until a short page.
    if (queue.length === 0) queueNext();
  }
}

interface QueuedPage {
  offset: number;
  size: number;
  page: Promise<GetPage>;
}
