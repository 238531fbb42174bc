/**
 * `copy`: source → target in one pass. The export engine reads pages and writes the backup
 * file; each page is also handed to the import engine (through a PagePipe), which upserts it
 * while the next pages are read. So the move takes about as long as the slower side, not the
 * sum, and the backup file is still there at the end. The export checkpoints no further than
 * the import has committed (see ExportSink): one resume point serves both. Each committed
 * batch is read back and compared while the copy goes on (copy-verify.ts); a collection this
 * run did not send whole (a resume) is compared from the finished file at the end, as verify does.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { sourceKey, sourceKeys, type Endpoint } from '../chroma/endpoint.js';
import { MigrateError } from '../util/errors.js';
import { checkWritablePath } from '../util/out-path.js';
import { choose, exportCollections, sameNames, type ExportResult, type ExportSink } from '../sources/server/export-pump.js';
import { sourceDatabase } from '../chroma/databases.js';
import { importSucceeded, openTarget, recordImportStep, targetKey, type CollectionImportResult, type RecordFeed, type TargetSession } from '../sinks/target/session.js';
import { importCollection } from '../sinks/target/write.js';
import { mendFinishedCopy } from '../sinks/target/mend.js';
import { isTheSource } from '../sinks/target/prepare.js';
import type { ExistsChoice, IfExists } from '../sinks/target/choices.js';
import type { BackupRecord, BackupSummary, CollectionHeader } from '../model/record.js';
import { inspectBackup } from '../backup/read.js';
import { PagePipe } from '../sinks/target/page-pipe.js';
import { refusedCount, targetRules, type TargetRules } from '../sinks/target/refusals.js';
import { checkPage, linesIn, readRejectedIds, readRejectedLines, RejectsLog, rejectsPath, splitPage } from '../sinks/target/rejects.js';
import { splitForResume } from '../sinks/target/rejects-trust.js';
import { checkPageFits, targetHolds } from '../sinks/target-fit.js';
import { ignoreProgress, type ProgressListener } from '../util/progress.js';
import { StateStore } from '../state/store.js';
import type { ReplaceChoice } from '../state/replace-out.js';
import { CopyVerify } from '../sinks/verifier/live.js';
import { StreamedTruth } from '../sinks/verifier/streamed-truth.js';
import { DEFAULT_SAMPLE, recordVerifyStep, verifyBackup, type VerifyResult } from '../sinks/verifier/file-pass.js';
import { allVerified, type CollectionVerdict } from '../sinks/verifier/checker.js';
import { checkAllIdsAgainstSource, measureRecallOfLanded, type IdCheck, type LandedCollection } from '../sinks/verifier/closing-pass.js';
import { LandedListing } from '../sinks/verifier/landed-listing.js';
import { DEFAULT_PARALLEL } from '../util/pool.js';
import { ChromaApi, spaceOf, type CollectionInfo } from '../chroma/api.js';
import { storedHeader } from '../backup/jsonl/format.js';
import { creationRefusals, creationRefusedError } from '../sinks/target/plan.js';
import { isUnreachable, retryExplained } from '../chroma/explain.js';
import { finishedExportFrom, recordedSourceIds } from '../state/finished-export.js';
import type { ExportCheckpoint } from '../state/schema.js';
import { inQuotes, shown } from '../util/format.js';
import { addressOf } from '../chroma/url.js';

/** `overwrite`/`decideReplace`: an --out already there that is not this copy's own (state/replace-out.ts). */
export interface CopyOptions extends ReplaceChoice {
  source: Endpoint;
  target: Endpoint;
  /** The backup file written on the way. */
  out: string;
  /** Names on the source; all when empty. */
  collections?: string[];
  /** Copy the (single) selected collection under another name. */
  renameTo?: string;
  ifExists: IfExists;
  decideExists?: (info: { collection: string; count: number }) => Promise<ExistsChoice>;
  pageSize?: number;
  readConcurrency?: number;
  /** Collections in flight (default DEFAULT_PARALLEL): the next ones opened ahead at source and target. */
  parallel?: number;
  batchSize?: number;
  writeConcurrency?: number;
  /** Send the records without metadata keys holding sparse vectors, which only Chroma Cloud stores. */
  dropSparse?: boolean;
  /** Copy all but the records the target refuses; those go to the rejects file next to the backup. */
  skipInvalid?: boolean;
  /** Compare every record as it lands (default true); `sample` self-queries per collection. */
  verify?: boolean;
  sample?: number;
  statePath: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  checkpointEvery?: number;
}

export interface CopyResult {
  out: string;
  resumed: boolean;
  batchSize: number;
  /**
   * Collections sent in this run (one finished by an earlier run is not sent again). Run again
   * once every collection had been sent, each collection as checked against the finished file
   * and sent what the target had lost.
   */
  collections: CollectionImportResult[];
  exported: ExportResult['collections'];
  verify: CopyVerdicts | null;
  /** Where the records the target refuses went (--skip-invalid), and how many this run set aside. */
  rejects?: { path: string; records: number };
  /**
   * The collections whose records (some or all) an earlier run read from the source into the
   * backup, and when it last did: their verify proves the target holds what the backup holds,
   * which the source may no longer hold. Absent when this run read every record itself.
   */
  readEarlier?: EarlierRead;
  ok: boolean;
}

interface EarlierRead {
  collections: string[];
  /** The earlier run's last checkpoint of the export (ISO time). */
  at: string;
}

/** A collection compared as it landed, and its recall samples' true neighbours as its records streamed by. */
interface LiveVerdict {
  verdict: Promise<CollectionVerdict>;
  truth: StreamedTruth;
  /** The target collection as its verify found it once every record had landed. */
  landed: Pick<CopyVerify, 'found'>;
  /** Records the file holds of it. */
  expected: number;
  /** Its ids on both sides, listed once every record had landed (see IdCheck.listed). */
  listed?: IdCheck['listed'];
}

/** What verify found, collection by collection (as `verify` reports it). */
type CopyVerdicts = Pick<VerifyResult, 'collections' | 'ok'>;

export async function copyCollections(options: CopyOptions): Promise<CopyResult> {
  const progress = options.onProgress ?? ignoreProgress;
  const signal = options.signal;
  if (options.renameTo !== undefined && options.collections?.length !== 1) {
    throw new MigrateError('BAD_INPUT', '--as renames one collection, but it needs that one named.', 'Pick it with --collections NAME.');
  }
  // Before any server is asked anything: a folder or a device as --out is a typing mistake.
  await checkWritablePath(resolve(options.out));
  const out = resolve(options.out);
  const source = await sourceDatabase(options.source, signal).catch((error: unknown) => {
    if (!isUnreachable(error)) throw error;
    return error;
  });
  if (source instanceof MigrateError) return finishedWithoutSource(options, out, source);
  const fingerprint = `copy from ${sourceKey(source, source.database)}`;

  // Stopped while verifying (the copy itself had finished): what the target lost since is sent
  // again from the finished file, then verified; no record is read from the source again.
  const finished = await finishedCopy(options, out, sourceKeys(source, source.database), fingerprint);
  if (finished) return mendThenVerify(options, { source, out, fingerprint, exported: finished });
  // Only a checkpoint not done is resumed (export-pump.ts); a done one means the export starts over.
  const earlier = await readEarlier(options.statePath, out, sourceKey(source, source.database));

  // The source's collections are listed while the target is opened; the target's failure is told first.
  progress({ type: 'phase', message: `Listing collections on ${source.cloud ? 'Chroma Cloud' : source.url}` });
  const listing = listCollections(options, source);
  listing.catch(() => undefined); // awaited below
  const target = await openTarget({ ...options, concurrency: options.writeConcurrency, onProgress: progress });
  const listed = await listing;
  refuseCreationUpFront(options, listed, target);
  await refuseTheSourceUpFront(options, listed, target);
  /** Each collection's import, in the order the export finished them: its count may still be running. */
  const imports: Array<Promise<CollectionImportResult>> = [];
  const holds = targetHolds(target.server, options.target.cloud);
  /** Collections compared batch by batch as they landed (see copy-verify.ts), by source name. */
  const liveVerdicts = new Map<string, LiveVerdict>();
  // Stops the live checks still running (a finished collection's count and self-queries) when
  // the copy fails, so that the command ends with its error instead of waiting for them.
  const liveStop = new AbortController();
  const liveSignal = signal ? AbortSignal.any([signal, liveStop.signal]) : liveStop.signal;

  const rejects = new RejectsLog(rejectsPath(out));
  // Begun once every record has landed, beside the verify's end and the file's read back.
  let idChecks: Promise<Set<string>> | null = null;
  // The backup under its own name, once the export has renamed it (last); fails with the export.
  const finishedFile = () => exporting.then(() => out);
  const sink: ExportSink = {
    ...copySink({ options, target, holds, out, fingerprint, imports, liveVerdicts, liveSignal, progress, rejects }),
    allEnded: () => {
      if (options.verify !== false) idChecks = checkIdsOnceLanded({ ...options, source }, out, finishedFile, liveVerdicts, liveSignal);
    },
  };

  // The bar follows the import (what has landed); the export reports only its phases and retries.
  const exportProgress: ProgressListener = (event) => {
    if (event.type !== 'batch' && event.type !== 'collection-start' && event.type !== 'collection-done') progress(event);
  };
  const exporting = exportCollections({
    source,
    out: options.out,
    collections: options.collections,
    listed,
    overwrite: options.overwrite,
    decideReplace: options.decideReplace,
    pageSize: options.pageSize,
    concurrency: options.readConcurrency,
    parallel: options.parallel,
    statePath: options.statePath,
    signal,
    onProgress: exportProgress,
    checkpointEvery: options.checkpointEvery,
    sink,
  }).catch((error: unknown) => {
    liveStop.abort(error);
    throw error;
  });
  const exported = await exporting;
  const results = await Promise.all(imports).catch((error: unknown) => {
    liveStop.abort(error);
    throw error;
  });
  // Saved while the verdicts come in (an fsync less before the recall's queries): the store
  // writes changes in the order asked, so the verify's step lands after it.
  const importRecorded = recordImportStep(target.store, out, options.target, results);
  importRecorded.catch(() => undefined); // awaited below

  const names = exported.collections.map((collection) => collection.name);
  const verify = options.verify === false ? null : await collectVerdicts({ ...options, source }, out, names, liveVerdicts, idChecks);
  await importRecorded;
  const ok = verify ? verify.ok : results.every(importSucceeded);
  const set = rejects.written > 0 ? { rejects: { path: rejects.path, records: rejects.written } } : {};
  const before = exported.resumed ? earlier?.collections.filter((name) => names.includes(name)) : [];
  const read = earlier && before && before.length > 0 ? { readEarlier: { ...earlier, collections: before } } : {};
  return { out, resumed: exported.resumed, batchSize: target.batchSize, collections: results, exported: exported.collections, verify, ok, ...set, ...read };
}

/**
 * Records the source deleted during the copy, deleted from the target too: once its live verify
 * (`compared`) has read back every batch it was given, which a record deleted before its read back
 * would fail as missing. Answers the target's count after it: the import counted before.
 */
async function dropFromTarget(target: TargetSession, name: string, ids: string[], { signal, compared }: { signal?: AbortSignal; compared: CopyVerify | null }): Promise<number | null> {
  await compared?.allPushed();
  const call = <T>(work: () => Promise<T>) => retryExplained(target.options.target, work, { signal });
  const info = await call(() => target.api.findCollection(name, { signal }));
  if (!info) return null;
  for (let from = 0; from < ids.length; from += target.batchSize) {
    const chunk = ids.slice(from, from + target.batchSize);
    await call(() => target.api.deleteRecords(info.id, chunk, { signal }));
  }
  return call(() => target.api.count(info.id, { signal }));
}

/**
 * The import's result once the records the source deleted are gone from the target too: its
 * count is the one taken after that drop, and the records sent then deleted are said apart, so
 * the line reads "12,000 records (…; 120 more were sent, then deleted at the source)", never
 * "12,120 of 12,000".
 */
function afterDrop(result: CollectionImportResult, count: number | null, deletedAtSource: number): CollectionImportResult {
  if (count === null || deletedAtSource === 0) return result;
  return { ...result, count, missing: Math.max(0, result.expected - count), deletedAtSource };
}

/**
 * Every record of the copy has landed (the export's last collection ended): the collections
 * compared as they landed have their ids checked against the source from now on, beside their
 * verdicts' last reads, the finished file's read back and the recall, instead of after them.
 * Each source side is listed at once (it needs nothing from the target); each target side once
 * its verdict is in. Answers the names checked: a collection whose comparison failed is compared
 * from the file instead, and its ids checked with the rest.
 */
function checkIdsOnceLanded(options: CopyOptions, out: string, finishedFile: () => Promise<string>, liveVerdicts: Map<string, LiveVerdict>, signal: AbortSignal): Promise<Set<string>> {
  const entries = [...liveVerdicts];
  const checking = (async () => {
    const rejected = await readRejectedIds(rejectsPath(out), options.target.database);
    const checks = entries.map(([name, live]): IdCheck => ({ ...idCheck(name, live.verdict, live.expected, rejected.get(options.renameTo ?? name), () => live.landed.found), ...(live.listed ? { listed: live.listed } : {}) }));
    const checked = await checkAllIdsAgainstSource(checks, { source: options.source, target: options.target, signal, parallel: options.parallel ?? DEFAULT_PARALLEL, backup: finishedFile });
    return new Set(entries.filter((_, index) => checked[index]).map(([name]) => name));
  })();
  checking.catch(() => undefined); // awaited by collectVerdicts
  return checking;
}

function idCheck(sourceName: string, verdict: IdCheck['verdict'], expected: number, refused: ReadonlySet<string> | undefined, found: IdCheck['found']): IdCheck {
  return { sourceName, verdict, expected, ...(refused ? { refused } : {}), found };
}

/**
 * The verdicts of the collections compared as they landed, and of the rest from the finished
 * file: those resumed part-way, finished by an earlier run, or whose reading back failed (the
 * file is complete by now). In the order they were exported; step 6 recorded once, for all.
 * The closing checks run for all collections together (closing-pass.ts): one read of the file,
 * and `parallel` collections' round trips at a time; `idChecks`, those begun once every record
 * had landed (checkIdsOnceLanded).
 */
async function collectVerdicts(options: CopyOptions, out: string, names: string[], liveVerdicts: Map<string, LiveVerdict>, idChecks: Promise<Set<string>> | null): Promise<CopyVerdicts> {
  if (liveVerdicts.size > 0) options.onProgress?.({ type: 'phase', message: `Verifying: the last records read back, the count, and the index's recall on ${options.sample ?? DEFAULT_SAMPLE} records per collection` });
  // The export has finished: the file is there under its own name.
  const sides = { source: options.source, target: options.target, signal: options.signal, parallel: options.parallel ?? DEFAULT_PARALLEL, backup: () => Promise.resolve(out) };
  const landed: LandedCollection[] = [];
  for (const [name, { verdict, truth, landed: found }] of liveVerdicts) {
    try {
      landed.push({ sourceName: name, verdict: await verdict, truth, found: found.found });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      options.onProgress?.({ type: 'warning', message: `Reading ${inQuotes(name)} back as it landed failed (${(error as Error).message}); comparing it from ${out} instead.` });
    }
  }
  // The file is whole now: the samples' true neighbours are among all its records (as they
  // streamed by, or read from it). Measured beside the id checks below: it only sets each
  // verdict's recall, and its self-queries need not wait for the id lists (nor they for it).
  const recall = measureRecallOfLanded(out, landed, sides);
  recall.catch(() => undefined); // awaited below
  const live = new Map(landed.map(({ sourceName, verdict }) => [sourceName, verdict]));
  const rest = names.filter((name) => !live.has(name));
  const fromFile = rest.length > 0 ? await verifyFile(options, out, rest) : null;
  // verifyBackup answers for every collection it is asked about (a missing one fails).
  const collections = names.map((name) => live.get(name) ?? fromFile!.collections[rest.indexOf(name)]!);
  // Last, the id sets against the source as it is now: the file is one reading of it.
  options.onProgress?.({ type: 'phase', message: 'Comparing the target\'s ids with the source\'s, both ways' });
  // Set aside as refused (--skip-invalid), by this run or by the one it resumes: not expected on the target.
  const rejected = await readRejectedIds(rejectsPath(out), options.target.database);
  const checked = (await idChecks) ?? new Set<string>();
  const found = new Map(landed.map(({ sourceName, found }) => [sourceName, found]));
  const left = names.flatMap((name, index) => (checked.has(name) ? [] : [idCheck(name, collections[index]!, collections[index]!.expected, rejected.get(options.renameTo ?? name), () => found.get(name) ?? null)]));
  await checkAllIdsAgainstSource(left, sides);
  await recall;
  await recordVerifyStep(options.statePath, collections);
  return { collections, ok: allVerified(collections) };
}

/**
 * A finished copy run again: each collection checked against the finished file and sent what
 * the target lacks (mend.ts), steps 5 and 6 saved again, then the file verified against it.
 */
async function mendThenVerify(options: CopyOptions, { source, out, fingerprint, exported }: { source: Endpoint | MigrateError; out: string; fingerprint: string; exported: ExportCheckpoint }): Promise<CopyResult> {
  const names = exported.finished.map((entry) => entry.name);
  options.onProgress?.({ type: 'phase', message: `${out} was copied to ${options.target.url} already; checking that the target still holds all of it, then verifying` });
  const sourceIds = await sourceCollectionIds(options, source, out, exported);
  // Read through once for both the mend and the verify after it.
  const summary = await inspectBackup(out, { signal: options.signal });
  const mended = await mendFinishedCopy({
    ...options,
    concurrency: options.writeConcurrency,
    backup: out,
    fingerprint,
    collections: names,
    sourceIds,
    summary,
  });
  const verify = options.verify === false ? null : await verifyFile(options, out, names, true, summary);
  return { out, resumed: true, batchSize: 0, collections: mended, exported: exported.finished, verify, ok: verify?.ok ?? mended.every(importSucceeded), readEarlier: { collections: names, at: exported.updatedAt } };
}

/**
 * What an earlier, unfinished run of this copy's export read from the source into `out`, per
 * its checkpoint: the collections it finished and the one it had begun, and when it last saved.
 */
async function readEarlier(statePath: string, out: string, source: string): Promise<EarlierRead | null> {
  const entry = (await StateStore.open(statePath)).current.exports.find((candidate) => candidate.out === out && candidate.source === source && !candidate.done);
  if (!entry) return null;
  const begun = entry.current && entry.current.offset > 0 ? [entry.current.name] : [];
  const collections = [...entry.finished.map((collection) => collection.name), ...begun];
  return collections.length > 0 ? { collections, at: entry.updatedAt } : null;
}

/** verify of the finished file; `record` writes step 6 (collectVerdicts writes it for the whole copy). */
function verifyFile(options: CopyOptions, out: string, collections: string[], record = false, summary?: BackupSummary): Promise<CopyVerdicts> {
  return verifyBackup({
    ...(summary ? { summary } : {}),
    input: out,
    target: options.target,
    collections,
    renameTo: options.renameTo,
    sample: options.sample,
    ...(record ? { statePath: options.statePath } : {}),
    signal: options.signal,
    onProgress: options.onProgress,
  });
}

/**
 * The source cannot be reached (down, gone, its key revoked): a copy that had finished but for
 * its verify goes on from its file, as its state names it; any other copy needs the source, and
 * stops with why it could not be reached.
 */
async function finishedWithoutSource(options: CopyOptions, out: string, unreachable: MigrateError): Promise<CopyResult> {
  const exported = existsSync(out) ? finishedExportFrom((await StateStore.open(options.statePath)).current, out, options.source) : null;
  const finished = exported ? await finishedCopy(options, out, [exported.source], `copy from ${exported.source}`) : null;
  if (!finished) throw unreachable;
  return mendThenVerify(options, { source: unreachable, out, fingerprint: `copy from ${finished.source}`, exported: finished });
}

/**
 * The source's collection ids by name, for the mend: a target collection with one of them is the
 * source itself (one server under two addresses, or --as its own name), never written to. Listed
 * at the source; when it cannot be reached, as the export recorded them, said in one line. The
 * target is then read and written alone, and the verify is against the file either way.
 */
async function sourceCollectionIds(options: CopyOptions, source: Endpoint | MigrateError, out: string, exported: ExportCheckpoint): Promise<Map<string, string>> {
  let unreachable = source instanceof MigrateError ? source : null;
  if (!(source instanceof MigrateError)) {
    try {
      return new Map((await listCollections(options, source)).map((info) => [info.name, info.id]));
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      unreachable = error;
    }
  }
  const recorded = recordedSourceIds(exported);
  const where = options.source.cloud ? 'Chroma Cloud, the source,' : `The source, ${options.source.url},`;
  if (!recorded) {
    throw new MigrateError(
      'BAD_STATE',
      `${where} could not be reached, and this copy's checkpoint (from an older chroma-migrate) does not record the ids of the source's collections: nothing can then prove that a target collection is not the source's own, so nothing was written. ${unreachable?.message ?? ''}`.trim(),
      `Run the same command again once the source answers. Without it, chroma-migrate verify --input ${shown(out)} --url ${options.target.url} checks the target against the file alone.`,
    );
  }
  options.onProgress?.({ type: 'warning', message: `${where} could not be reached, so the target was checked against the backup file only.` });
  return recorded;
}

/**
 * The same copy (file, source, collections, target) already finished its export and every
 * import, and the file is still there: what is left is the verify. Its export's checkpoint.
 */
async function finishedCopy(options: CopyOptions, out: string, sources: readonly string[], fingerprint: string): Promise<ExportCheckpoint | null> {
  if (!existsSync(out)) return null;
  const state = (await StateStore.open(options.statePath)).current;
  // A copy that went through its verify is over: running it again copies again.
  if (state.steps.verify?.status === 'done') return null;
  const exported = state.exports.find((entry) => entry.out === out && sources.includes(entry.source) && entry.done);
  if (!exported || (options.collections?.length && !sameNames(exported.collections, options.collections))) return null;
  const target = targetKey(options.target);
  const imported = exported.finished.every(({ name }) =>
    state.imports.some((entry) => entry.fingerprint === fingerprint && entry.target === target && entry.collection === (options.renameTo ?? name) && entry.done),
  );
  return imported && exported.finished.length > 0 ? exported : null;
}

/** What the copy's sink needs: where records go, and where it keeps its results and live verdicts. */
interface CopySinkContext {
  options: CopyOptions;
  target: TargetSession;
  holds: ReturnType<typeof targetHolds>;
  out: string;
  fingerprint: string;
  imports: Array<Promise<CollectionImportResult>>;
  liveVerdicts: Map<string, LiveVerdict>;
  liveSignal: AbortSignal;
  progress: ProgressListener;
  rejects: RejectsLog;
}

/** The export's second sink: each page goes on to the target writer, and is read back as it lands. */
function copySink({ options, target, holds, out, fingerprint, imports, liveVerdicts, liveSignal, progress, rejects }: CopySinkContext): ExportSink {
  const signal = options.signal;
  return {
    open(header, place) {
      const pipe = new PagePipe(target.batchSize, target.batchSize * 2, signal);
      const name = options.renameTo ?? header.name;
      // A collection this run sends whole is compared as it lands; one resumed part-way is
      // compared from the file at the end (its first records were sent by an earlier run).
      const liveVerify = options.verify !== false && place.start === 0 ? new CopyVerify(target, header, name, liveSignal) : null;
      let committed = place.start;
      const refused = new Set<string>();
      /** What the collection should hold on the target: the file's records at the end, less those refused. */
      let expected: number | null = null;
      // Every record the file gets, as it gets them (refused ones too): the samples' true neighbours.
      const truth = liveVerify ? new StreamedTruth(options.sample ?? DEFAULT_SAMPLE, header.space ?? 'l2', (record) => !refused.has(record.id)) : null;
      let onCommit = (): void => undefined;
      let pushed = place.start;
      const landing = liveVerify ? new LandedListing(pipe, place.start, { target: options.target, signal: liveSignal }) : null;
      const { ready, retry } = earlierRefusals(rejects, { options, target, name, start: place.start }, refused);
      const checkFits = pageChecker({ options, target, holds, rejects, progress }, header, { name, ready, refused });
      // Read back and counted again by its verify: the next collection need not wait for the import's count.
      const allCommitted = latch();
      const feed: RecordFeed = {
        backup: out,
        fingerprint,
        records: () => pipe.batches(),
        resume: { resumed: place.resumed, start: place.start, run: place.run },
        sourceCollectionId: place.sourceId,
        refused,
        retry,
        ...(options.skipInvalid ? { rejects } : {}),
        onCommitted: (count, batch, collection) => {
          committed = count;
          onCommit();
          landing?.committed(count, collection.id);
          return liveVerify?.push(batch, collection);
        },
        ...(liveVerify ? { onAllCommitted: moveOn(allCommitted.open, liveVerify) } : {}),
        expected: () => expected ?? header.count - refused.size,
      };
      let landed: Promise<number | null> | null = null;
      const imported = importCollection(target, header, name, feed).catch((error: unknown) => {
        pipe.fail(error);
        liveVerify?.stop(error);
        throw error;
      });
      imported.catch(() => undefined); // observed by end() or abort(); never unhandled
      return {
        push: async (records) => {
          await checkFits(records);
          truth?.offer(records);
          pushed += records.length;
          return pipe.push(records);
        },
        ...(landing ? { settle: (inFile) => landing.settle(pushed, imported, inFile) } : {}),
        get committed() {
          return committed;
        },
        onCommit: (listener) => (onCommit = listener),
        end: async (exported, dropped, listed) => {
          const gone = new Set(dropped);
          // The file keeps records the target refuses; those the source deleted it drops.
          expected = exported - [...refused].filter((id) => !gone.has(id)).length;
          pipe.close();
          // The export goes on while the last batches land (landed); so do the checks after them.
          landed = landAll(imported, allCommitted.done, ready, dropped.length > 0 ? () => dropFromTarget(target, name, dropped, { signal, compared: liveVerify }) : null);
          landed.catch(() => undefined); // awaited by the export, through landed()
          const sentThenDeleted = dropped.filter((id) => !refused.has(id)).length;
          imports.push(sentThenDeleted === 0 ? imported : Promise.all([imported, landed]).then(([result, count]) => afterDrop(result, count, sentThenDeleted)));
          if (liveVerify && truth) {
            // Its last reads, count and self-queries overlap the next collections' copy.
            const verdict = landed.then(() => liveVerify.finish(exported, { ids: refused, file: rejects.path }));
            verdict.catch(() => undefined); // awaited at the end
            truth.end(exported);
            const both = listed && landing ? { listed: landing.sides(listed, pushed, dropped.length > 0) } : {};
            liveVerdicts.set(header.name, { verdict, truth, landed: liveVerify, expected: exported, ...both });
          }
        },
        landed: () => (landed ? landed.then(() => undefined) : Promise.reject(new Error('landed() before end()'))),
        abort: async (error) => {
          pipe.fail(error);
          liveVerify?.stop(error);
          await imported.catch(() => undefined);
        },
      };
    },
  };
}

/**
 * The source says what its values are only as they are read: each page is checked before it
 * goes on to the target, as import checks a whole file before it writes.
 */
function pageChecker(
  { options, target, holds, rejects, progress }: Pick<CopySinkContext, 'options' | 'target' | 'holds' | 'rejects' | 'progress'>,
  header: CollectionHeader,
  { name, ready, refused }: { name: string; ready: Promise<void>; refused: Set<string> },
): (records: BackupRecord[]) => Promise<void> {
  let sparseWarned = false;
  return async (records) => {
    await ready;
    await setAsideRefused(records, { name, options, target, refused, rejects, progress });
    const leftOut = checkPageFits(header, records, holds, {
      dropSparse: options.dropSparse === true,
      stopped: 'The copy stopped before sending them; the same command continues from the last record the target holds.',
    });
    if (leftOut.length > 0 && !sparseWarned) {
      sparseWarned = true;
      progress({ type: 'warning', message: `Leaving out sparse vectors in ${inQuotes(header.name)}, as chosen (--drop-sparse). The backup keeps them.` });
    }
  };
}

/**
 * Every batch committed (or, failing, the import's error), and the records the source deleted
 * meanwhile gone from the target too (once the import has counted what it sent): the target,
 * like the file, then keeps what the source holds.
 */
async function landAll(imported: Promise<unknown>, allCommitted: Promise<void>, ready: Promise<void>, drop: (() => Promise<number | null>) | null): Promise<number | null> {
  await Promise.race([allCommitted, imported]);
  if (drop) await imported;
  await ready;
  return drop ? drop() : null;
}

/**
 * Every batch is committed: the copy moves on to its next collection (`open`), and the import's
 * own count waits for the last reads back (see RecordFeed.onAllCommitted).
 */
function moveOn(open: () => void, liveVerify: CopyVerify): () => Promise<void> {
  return () => {
    open();
    return liveVerify.allPushed();
  };
}

/** A promise, and what settles it. */
function latch(): { done: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { done, open };
}

/**
 * A collection's earlier refusals, read as it opens (refusedSoFar): `ready` once `refused` holds
 * those believed here, `retry` the feed's records to send again.
 */
function earlierRefusals(rejects: RejectsLog, { options, target, name, start }: { options: CopyOptions; target: TargetSession; name: string; start: number }, refused: Set<string>) {
  const here = { rules: targetRules(target.server.capabilities, options.target.cloud), url: options.target.url };
  const retried = refusedSoFar(rejects, { name, database: options.target.database }, start, refused, here);
  const ready = retried.then(() => undefined);
  ready.catch(() => undefined); // awaited by push and end, and by the feed's retry
  return {
    ready,
    retry: async function* (): AsyncIterable<BackupRecord[]> {
      const records = await retried;
      if (records.length > 0) yield records;
    },
  };
}

/**
 * What this collection's earlier refusals left in the rejects file. Sent from its first record,
 * the collection finds its refusals again, so its old lines go (none to send again); resumed
 * part-way, the pages before the resume point were checked by the earlier run, whose lines hold
 * when they would hold here (rejects-trust.ts): their ids join `refused`. The others (a 413 from
 * another address) go from the file, and their records are answered, to be sent again.
 */
async function refusedSoFar(rejects: RejectsLog, { name, database }: { name: string; database: string }, start: number, refused: Set<string>, here: { rules: TargetRules; url: string }): Promise<BackupRecord[]> {
  if (start === 0) {
    await rejects.clearCollection(name, database);
    return [];
  }
  const lines = [...(linesIn(await readRejectedLines(rejects.path), database, true).get(name)?.values() ?? [])];
  const { kept, retried } = splitForResume(lines, here.rules, here.url);
  for (const line of kept) refused.add(line.id);
  if (retried.length > 0) await rejects.clearCollection(name, database, new Set(retried.map((line) => line.id)));
  return retried.map((line) => line.record);
}

/**
 * A page's records the target would refuse: without --skip-invalid the copy stops before
 * sending the page; with it they go to the rejects file and into `refused`, which the target
 * writer leaves out (the page still counts whole, so the export's resume point stays true).
 */
async function setAsideRefused(
  records: BackupRecord[],
  work: { name: string; options: CopyOptions; target: TargetSession; refused: Set<string>; rejects: RejectsLog; progress: ProgressListener },
): Promise<void> {
  const rules = targetRules(work.target.server.capabilities, work.options.target.cloud);
  if (!work.options.skipInvalid) return checkPage(records, work.name, rules);
  const refusedBy = addressOf(work.options.target.url);
  const found = splitPage(records, work.name, rules).refused.map((entry) => ({ ...entry, database: work.options.target.database, ...(refusedBy ? { refusedBy } : {}) }));
  if (found.length === 0) return;
  for (const entry of found) work.refused.add(entry.id);
  await work.rejects.add(found);
  work.progress({ type: 'warning', message: `${inQuotes(work.name)}: leaving out ${refusedCount(found.length)} the target refuses, as chosen (--skip-invalid); they are in ${work.rejects.path}.` });
}

/** The source's collections: checked against the target here, then exported (not listed again). */
function listCollections(options: CopyOptions, source: Endpoint): Promise<CollectionInfo[]> {
  const api = new ChromaApi(source);
  return retryExplained(source, () => api.allCollections({ signal: options.signal }), { signal: options.signal });
}

/**
 * Before the first page is read: a collection the target would refuse to create stops the copy
 * with nothing written (not even the backup), as import does. The source's listing is enough:
 * creation depends on the collection's settings, not its records.
 */
function refuseCreationUpFront(options: CopyOptions, listed: CollectionInfo[], target: TargetSession): void {
  const items = choose(listed, options.collections).map((info) => ({
    header: storedHeader({ name: info.name, metadata: info.metadata ?? null, space: spaceOf(info), count: 0, dimension: info.dimension ?? null, configuration: info.configuration_json ?? null, schema: info.schema ?? null }),
    name: options.renameTo ?? info.name,
  }));
  const refused = creationRefusedError({ collections: creationRefusals(target, items) }, options.target.url);
  if (refused) throw refused;
}

/**
 * A target collection that is a source collection itself (one server under two addresses, or
 * --as its own name), refused before the export opens its file: the copy would write into what it
 * reads, and the refusal leaves nothing behind. Each collection's preparation checks again.
 */
async function refuseTheSourceUpFront(options: CopyOptions, listed: CollectionInfo[], target: TargetSession): Promise<void> {
  const signal = options.signal;
  const ids = new Map((await retryExplained(options.target, () => target.api.allCollections({ signal }), { signal })).map((info) => [info.name, info.id]));
  const same = choose(listed, options.collections).find((info) => ids.get(options.renameTo ?? info.name) === info.id);
  if (same) throw isTheSource(options.renameTo ?? same.name, options.target.url);
}
