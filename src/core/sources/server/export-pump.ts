/**
 * An export: a database's collections read page by page into the backup file (and, for a copy,
 * into its second sink as they are read), each brought to the source's ids at its end, with a
 * checkpoint to resume from. The parts: paged reads (pages.ts), collections opened ahead
 * (lookahead.ts), the end check (collection-end.ts, end-check.ts), the hand-over between
 * collections (hand-over.ts); what they share is in export-types.ts.
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BackupRecord, CollectionHeader } from '../../model/record.js';
import { storedHeader, withheldFields } from '../../backup/jsonl/format.js';
import { rewriteWithout } from '../../backup/jsonl/rewrite.js';
import { BackupWriter, holdsWhatWasWritten } from '../../backup/jsonl/writer.js';
import { ChromaApi, spaceOf, type CollectionInfo } from '../../chroma/api.js';
import { sourceKeys } from '../../chroma/endpoint.js';
import { listIds } from '../../chroma/id-list.js';
import { explainRequestError, withServerRetry } from '../../chroma/explain.js';
import { MigrateError } from '../../util/errors.js';
import { ignoreProgress, type ProgressListener } from '../../util/progress.js';
import { describeTakeOver, lockFile } from '../../util/file-lock.js';
import { checkWritablePath } from '../../util/out-path.js';
import { inspectBackup } from '../../backup/read.js';
import type { ExportCheckpoint } from '../../state/schema.js';
import { claimOut, writtenBySameExport } from '../../state/replace-out.js';
import { StateStore } from '../../state/store.js';
import { CLOUD_DEFAULT_READS, CLOUD_MAX_CONCURRENT_READS, ReadWindow } from './read-window.js';
import { resolveTenant } from '../../chroma/tenant.js';
import { sourceDatabase } from '../../chroma/databases.js';
import { DEFAULT_PARALLEL } from '../../util/pool.js';
import { Lookahead, startedNow } from './lookahead.js';
import { choosePaging, firstPageRead, pageSizeOf, readPages, type Paging } from './pages.js';
import { checkpointSaver, finishCollection, handOver, landingDepthOf } from './hand-over.js';
import { describeChange, endCheck } from './collection-end.js';
import type { CollectionRun, CollectionSink, ExportedCollection, ExportOptions, ExportResult, ExportState } from './export-types.js';
import { inQuotes, shown } from '../../util/format.js';
export { resolveTenant };
export type { ExportedCollection, ExportOptions, ExportResult, ExportSink } from './export-types.js';

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
  const source = await sourceDatabase(options.source, signal);
  const api = new ChromaApi(source);
  const sourceNames = sourceKeys(source, source.database);
  const sourceName = sourceNames[0]!;
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

  if (!options.listed) progress({ type: 'phase', message: `Listing collections on ${source.cloud ? 'Chroma Cloud' : source.url}` });
  const all = options.listed ?? (await call(null, () => api.allCollections({ signal })));
  const chosen = someChosen(all, options.collections, source);
  const names = chosen.map((info) => info.name);

  const out = resolve(options.out);
  const partial = `${out}.partial`;
  const store = await StateStore.open(options.statePath);
  await claimOut(out, () => writtenBySameExport(store.current.exports, out, sourceNames, names), options);
  const previous = store.current.exports.find(
    (checkpoint) => checkpoint.out === out && sourceNames.includes(checkpoint.source) && !checkpoint.done && sameNames(checkpoint.collections, names),
  );
  const resumed = previous !== undefined && existsSync(partial) && previous.bytes > 0;
  const state: ExportState = {
    // A folder's export begun under its former name goes on under its name now.
    checkpoint: resumed ? { ...previous, source: sourceName } : { out, partial, source: sourceName, collections: names, finished: [], current: null, bytes: 0, done: false, updatedAt: '', run: new Date().toISOString() },
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

  const description = { url: source.url, tenant: source.tenant, database: source.database, cloud: source.cloud, ...(source.folder ? { folder: source.folder.path } : {}) };
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
    await abandon(state, lookahead, writer, error, !resumed && state.checkpoint.bytes === 0 ? partial : null);
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
 * The export failed: its sinks and the collections opened ahead are stopped and the file closed.
 * `unsaved`: the partial file when no place to continue from was saved, so that no later run
 * reads it: it goes (a copy refused at its first collection, onto the source itself, leaves nothing).
 */
async function abandon(state: ExportState, lookahead: { abandon(error: unknown): Promise<void> }, writer: BackupWriter, error: unknown, unsaved: string | null): Promise<void> {
  await state.sink?.abort(error);
  await Promise.all(state.landing.map((entry) => entry.sink.abort(error)));
  await lookahead.abandon(error);
  await writer.abort().catch(() => undefined);
  if (unsaved !== null) await rm(unsaved, { force: true }).catch(() => undefined);
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
  const entry = { name: info.name, id: info.id, count: end.count, ...(end.added > 0 ? { added: end.added } : {}), ...(end.deletedIds.length > 0 ? { deletedIds: end.deletedIds } : {}), ...(end.repeated > 0 ? { repeated: end.repeated } : {}) };
  await finishCollection(run, entry, last, {
    close: () => (open = false),
    saved: () => saving,
  });
  progress({ type: 'collection-done', collection: info.name, done: end.count, total });
}

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
  if (current && header && options.sink) state.sink = options.sink.open(storedHeader(header), { resumed: true, start: current.offset, run: run.run, sourceId: info.id });
  return { opened, total, headerSaved };
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

/**
 * The finished file, read back whole before it takes its name: its trailer, every record line and
 * each collection's count must be what was written. A file that fails is left as .partial.
 * Written whole by this run's `writer` (not resumed, not rewritten): every byte on disk must be
 * the writer's, whose counts must be the checkpoint's. Otherwise every line is read and checked.
 */
async function readBack(partial: string, written: Array<{ name: string; count: number }>, writer: BackupWriter | null, signal?: AbortSignal): Promise<void> {
  const expected = written.map((entry) => `${shown(entry.name)} ${entry.count}`).join(', ');
  const whole = writer?.written ?? null;
  if (whole) {
    const found = whole.collections.map((entry) => `${shown(entry.name)} ${entry.count}`).join(', ');
    if (found === expected && (await holdsWhatWasWritten(partial, whole, signal))) return;
    throw new MigrateError('MISMATCH', `The finished backup ${partial} is not what the export wrote (it wrote ${expected || 'no collections'}).`, 'Check the disk and that no other program writes to that file, then run the same command again.');
  }
  const summary = await inspectBackup(partial, { signal });
  const found = summary.collections.map((header) => `${shown(header.name)} ${header.count}`).join(', ');
  if (found !== expected) {
    throw new MigrateError('MISMATCH', `The finished backup ${partial} holds ${found || 'no collections'}, but the export wrote ${expected || 'none'}.`, 'Check the disk and that no other program writes to that file, then run the same command again.');
  }
}

/** Credential fields of a collection's settings stay out of the file: said once, and listed in the result. */
function noteWithheld(header: CollectionHeader, withheld: ExportResult['withheld'], progress: ProgressListener): void {
  const fields = withheldFields(header);
  if (fields.length === 0) return;
  withheld.push({ collection: header.name, fields });
  progress({ type: 'warning', message: `${inQuotes(header.name)}: withheld from the backup, as credentials: ${fields.join(', ')}. The app supplies them itself on the target.` });
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
    const window = new ReadWindow(concurrency);
    const reads = { paging, dimension: info.dimension, window, signal, call: <T>(work: () => Promise<T>) => call(info.name, work, window) };
    const firstRead = firstPageRead(api, info.id, reads);
    const total = await call(info.name, () => api.count(info.id, { signal }));
    options.onProgress?.({ type: 'counted', collection: info.name, total });
    const pages = startedNow(readPages(api, info.id, { ...reads, offset: 0, total, first: firstRead }));
    // The first page's first record is the record a header's own read would ask for: a round
    // trip less per collection.
    const first = await pages.started;
    const header = await collectionHeader(api, info, total, (work) => call(info.name, work), signal, first.done === true ? [] : first.value);
    // Within one page, the first read is the whole read: the end check's listing of the source's
    // ids can follow it now instead of at the collection's turn (a round trip or three of each
    // small collection's, overlapped with the collection before it).
    const sourceIds = total < pageSizeOf(paging, info.dimension) ? pages.started.then(() => listIds(api, info.id, { call: (work) => call(info.name, work), signal, name: info.name })).catch(() => null) : undefined;
    // The sink gets the header as the file keeps it (no secrets): a copy's target and a later verify of the file agree.
    return { total, header, pages, sourceIds, sink: options.sink ? options.sink.open(storedHeader(header), { resumed: false, start: 0, run, sourceId: info.id }) : null };
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

/** The collections chosen, never none: an empty backup marked done would pass for one, and a database with nothing in it is most likely the wrong one. */
export function someChosen(all: CollectionInfo[], wanted: string[] | undefined, source: { url: string; database: string }): CollectionInfo[] {
  const chosen = choose(all, wanted);
  if (chosen.length > 0) return chosen;
  throw new MigrateError('NOT_FOUND', `Database ${inQuotes(source.database)} at ${source.url} holds no collections: nothing to export, no file written.`, 'Check the name given with --database (or CHROMA_DATABASE in .env).');
}

export function choose(all: CollectionInfo[], wanted: string[] | undefined): CollectionInfo[] {
  // The server lists in no fixed order; by name, a backup (and its resume key) is reproducible.
  if (!wanted || wanted.length === 0) return [...all].sort((a, b) => compareNames(a.name, b.name));
  const missing = wanted.filter((name) => !all.some((info) => info.name === name));
  if (missing.length > 0) {
    throw new MigrateError(
      'NOT_FOUND',
      `The source has no collection named ${missing.map(inQuotes).join(', ')}.`,
      `It has: ${all.map((info) => info.name).sort().map(shown).join(', ') || '(none)'}.`,
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
