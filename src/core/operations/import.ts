import { describeTakeOver, lockFile } from '../util/file-lock.js';
import { inspectBackup, readRecords } from '../backup/read.js';
import { backupOrigin, takenFrom } from '../backup/jsonl/header.js';
import { numberTypesNote } from '../backup/summary-notes.js';
import type { BackupRecord, BackupSummary, CollectionHeader, Space } from '../model/record.js';
import type { ChromaApi } from '../chroma/api.js';

import { spaceUnknown } from '../collection/plan.js';
import { retryExplained } from '../chroma/explain.js';
import { databaseExists, databaseNameProblem, refuseSharedTargets } from '../chroma/databases.js';
import { MigrateError } from '../util/errors.js';
import { fraction, inQuotes, shown } from '../util/format.js';
import { addressOf } from '../chroma/url.js';
import { checkValuesFit, targetHolds } from '../sinks/target-fit.js';
import { fingerprintFile, StateStore } from '../state/store.js';
import { serverOf, withImportPlan } from '../state/import-plans.js';
import { ignoreProgress } from '../util/progress.js';
import { openTarget, recordImportStep, targetKey, type CollectionImportResult, type RecordFeed, type TargetOptions, type TargetSession } from '../sinks/target/session.js';
import { creationRefusedError, planTarget, type TargetPlan } from '../sinks/target/plan.js';
import { lineInDatabase, readRejectedLines, refusedError, RejectsLog, rejectsPath, type RefusedRecord } from '../sinks/target/rejects.js';
import { importCollection } from '../sinks/target/write.js';
import { placeNotes, tenantNotes } from '../sinks/target/place.js';
import { splitForResume } from '../sinks/target/rejects-trust.js';
import { targetRules } from '../sinks/target/refusals.js';
import { DEFAULT_PARALLEL, inParallel } from '../util/pool.js';

export type { ExistsChoice } from '../sinks/target/choices.js';
export type { CollectionImportResult } from '../sinks/target/session.js';
export { DEFAULT_CONCURRENCY } from '../sinks/target/session.js';

/** import = a backup file → the target writer. */
export interface ImportOptions extends TargetOptions {
  input: string;
  /** Names in the backup to import; all when empty. */
  collections?: string[];
  /** Import the (single) selected collection under another name. */
  renameTo?: string;
  /** Collections in flight (default DEFAULT_PARALLEL). */
  parallel?: number;
  /** The distance space for collections whose backup does not record one (--space). */
  space?: Space;
  /** Asked when a collection's space is unknown, --space is absent and it must be created. */
  decideSpace?: (info: { collection: string; source: string }) => Promise<Space>;
  /** Import all but the records the target refuses; those go to the rejects file next to the backup. */
  skipInvalid?: boolean;
  /** A file holding several databases: only these of them (default all). */
  databases?: string[];
  /** A file holding several databases: another name on the target for some of them (default: the same name). */
  databaseMap?: ReadonlyMap<string, string>;
}

export interface ImportResult {
  summary: BackupSummary;
  batchSize: number;
  collections: CollectionImportResult[];
  /** What the user should know about what was carried (values left out by choice, a format-1 backup). */
  notes: string[];
  /** Where the records the target refuses went (--skip-invalid), and how many. */
  rejects?: { path: string; records: number };
}

/** What `import --dry-run` shows: the checked backup and the plan; nothing was written. */
export interface ImportPlanResult {
  summary: BackupSummary;
  batchSize: number;
  plan: TargetPlan;
  notes: string[];
}

/**
 * The plan alone (import --dry-run): reads the backup and the target, writes nothing. A file
 * holding several databases is planned per database, each collection looked up in the target's
 * database it goes into (one the target lacks: every collection created there).
 */
export async function planImport(options: ImportOptions): Promise<ImportPlanResult> {
  const summary = await inspectInput(options);
  const databases = fileDatabases(summary, options.databases);
  refuseSharedTargets(databases, options.databaseMap);
  if (databases.length === 0) return withDatabaseNote(options, await planDatabase(options, summary));
  const plans: ImportPlanResult[] = [];
  const found: NonNullable<TargetPlan['databases']> = [];
  for (const database of databases) {
    const name = targetDatabase(options, database);
    const target = { ...options.target, database: name };
    const exists = await retryExplained(target, () => databaseExists(target, name, { signal: options.signal }), { signal: options.signal });
    found.push({ source: database, name, exists });
    plans.push(await planDatabase({ ...options, target }, summary, { source: database, exists }));
  }
  const collections = plans.flatMap((plan) => plan.plan.collections);
  return {
    summary,
    batchSize: plans[0]!.batchSize,
    plan: { collections, scanned: plans.reduce((sum, plan) => sum + plan.plan.scanned, 0), databases: found },
    notes: [...new Set(plans.flatMap((plan) => plan.notes)), ...(await tenantNotes(options.target, 'the import', options.signal))],
  };
}

/** One database of the file (all of a file that names none), planned against options.target. */
async function planDatabase(options: ImportOptions, summary: BackupSummary, database?: { source: string; exists: boolean }): Promise<ImportPlanResult> {
  const { headers, target, notes } = await checkBackup({ ...options, planOnly: true }, summary, database?.source);
  const plan = await planTarget(
    target,
    headers.map(({ header, name }) => ({ header, name, ...(options.space ? { space: options.space } : {}) })),
    (header) => readRecords(options.input, header, { batchSize: 1000, signal: options.signal }),
    database?.exists === false,
  );
  if (database) plan.collections = plan.collections.map((entry) => ({ ...entry, database: options.target.database }));
  return { summary, batchSize: target.batchSize, plan, notes };
}

/** A plan into a --target-tenant or --target-database the target lacks says that the import would create it. */
async function withDatabaseNote(options: ImportOptions, plan: ImportPlanResult): Promise<ImportPlanResult> {
  return { ...plan, notes: [...plan.notes, ...(await placeNotes(options.target, 'the import', options.signal))] };
}

/** The target's name for a database of the file (--database-map), refused early when no server would create it. */
function targetDatabase(options: ImportOptions, database: string): string {
  const name = options.databaseMap?.get(database) ?? database;
  const problem = databaseNameProblem(name);
  if (problem) throw new MigrateError('BAD_INPUT', `The target cannot create database ${problem}.`, `Give it another name with --database-map ${inQuotes(`${database}=new_name`)}.`);
  return name;
}

async function inspectInput(options: ImportOptions): Promise<BackupSummary> {
  // Nothing touches the target until the whole file has validated.
  (options.onProgress ?? ignoreProgress)({ type: 'phase', message: `Checking ${options.input}` });
  return inspectBackup(options.input, { signal: options.signal });
}

/** The backup validated, the target's limits read, every value checked to fit: still nothing written. */
async function checkBackup(options: ImportOptions, summary: BackupSummary, database?: string) {
  const headers = selectCollections(summary, options.collections, options.renameTo, database);
  const notes: string[] = [];
  const note = numberTypesNote(summary);
  if (note) notes.push(note);
  const target = await openTarget(options);
  // Still before anything is written: every value must fit the target, or be left out by choice.
  const holds = targetHolds(target.server, options.target.cloud);
  notes.push(...checkValuesFit(headers.map(({ header }) => header), holds, { dropSparse: options.dropSparse === true }));
  return { summary, headers, target, notes };
}

export async function importBackup(options: ImportOptions): Promise<ImportResult> {
  // One import of a backup at a time: two would race on its checkpoints and rejects file, and a
  // second --if-exists recreate would delete what the first is writing. A folder we cannot
  // write to (a read-only backup) gets no lock rather than no import.
  const lock = await lockFile(options.input, { command: 'import' }).catch((error: unknown) => {
    if (error instanceof MigrateError && error.code === 'IO') return null;
    throw error;
  });
  if (lock?.tookOverFrom) options.onProgress?.({ type: 'warning', message: describeTakeOver(options.input, lock.tookOverFrom) });
  try {
    return await importLocked(options);
  } finally {
    await lock?.release();
  }
}

/** The run's one rejects file, and the lines an earlier run left in it (read before this run rewrites it). */
interface RejectsRun {
  log: RejectsLog;
  earlier: RefusedRecord[];
}

async function importLocked(options: ImportOptions): Promise<ImportResult> {
  const summary = await inspectInput(options);
  const databases = fileDatabases(summary, options.databases);
  refuseSharedTargets(databases, options.databaseMap);
  const run: RejectsRun = { log: new RejectsLog(rejectsPath(options.input)), earlier: await readRejectedLines(rejectsPath(options.input)) };
  await notePlan(options, summary, databases);
  if (databases.length === 0) return importDatabase(options, summary, run);
  // A file holding several databases: each into the target's database of that name (or the
  // mapped one), created when missing by the target session it opens (openTarget); a
  // collection's checkpoint is keyed by that database.
  const results: ImportResult[] = [];
  for (const database of databases) {
    const name = targetDatabase(options, database);
    const target = { ...options.target, database: name };
    options.onProgress?.({ type: 'phase', message: `Database ${database}${name === database ? '' : ` → ${name}`}` });
    const decideExists = options.decideExists;
    const asked = decideExists ? { decideExists: (info: { collection: string; count: number }) => decideExists({ ...info, database: name }) } : {};
    results.push(await importDatabase({ ...options, ...asked, target }, summary, run, database));
  }
  return {
    summary,
    batchSize: results[0]!.batchSize,
    collections: results.flatMap((result) => result.collections),
    notes: [...new Set(results.flatMap((result) => result.notes))],
    ...(results.some((result) => result.rejects) ? { rejects: { path: run.log.path, records: run.log.written } } : {}),
  };
}

/**
 * The whole run noted before its first collection starts (every database of the file): a resume
 * then counts every collection it set out to import, not only those that had started.
 */
async function notePlan(options: ImportOptions, summary: BackupSummary, databases: string[]): Promise<void> {
  const headers = (databases.length === 0 ? [undefined] : databases).flatMap((database) => selectCollections(summary, options.collections, options.renameTo, database));
  const plan = {
    backup: options.input,
    fingerprint: await fingerprintFile(options.input),
    server: serverOf(targetKey(options.target)),
    collections: headers.length,
    records: headers.reduce((sum, { header }) => sum + header.count, 0),
    at: new Date().toISOString(),
  };
  await (await StateStore.open(options.statePath)).update((state) => ({ ...state, ...withImportPlan(state, plan) }));
}

/** The databases a file holds (none for a single-database file), narrowed to those asked for. */
function fileDatabases(summary: BackupSummary, wanted: string[] | undefined): string[] {
  const held = [...new Set(summary.collections.flatMap((header) => (header.database === undefined ? [] : [header.database])))];
  if (!wanted || wanted.length === 0) return held;
  const missing = wanted.filter((name) => !held.includes(name));
  if (missing.length > 0) throw new MigrateError('BAD_INPUT', `The backup holds no database named ${missing.map(shown).join(', ')}.`, `It holds: ${held.map(shown).join(', ') || 'one database, not named in the file'}.`);
  return wanted;
}

/** One database of the file (all of a file that names none) into options.target. */
async function importDatabase(options: ImportOptions, summary: BackupSummary, run: RejectsRun, database?: string): Promise<ImportResult> {
  const { headers, target, notes } = await checkBackup(options, summary, database);
  for (const message of notes) target.progress({ type: 'warning', message });
  const fingerprint = await fingerprintFile(options.input);
  const refused = await refuseUpFront(options, headers, target, { ...run, earlier: resumedRefusals(options, run.earlier, target, { fingerprint, only: database === undefined }) });
  const spaces = await chooseSpaces(headers, target.api, options);
  const origin = await backupOrigin(options.input, options.signal);
  target.progress({ type: 'plan', collections: headers.length, done: 0, records: headers.reduce((sum, { header }) => sum + header.count, 0) });
  // Several collections at once: each one's own round trips (find, create, read back, count)
  // overlap with the others' batches; within a collection the writes keep their own limit.
  const results = await inParallel(headers, options.parallel ?? DEFAULT_PARALLEL, ({ header, name }) => {
    const feed: RecordFeed = {
      backup: options.input,
      fingerprint,
      records: (skip) => readRecords(options.input, header, { skip, batchSize: target.batchSize, signal: options.signal }),
      again: () => readRecords(options.input, header, { batchSize: 300, signal: options.signal }),
      chosenSpace: spaces.get(name),
      takenHere: name === header.name && takenFrom(origin, options.target, header.database),
      refused: refused.ids.get(name),
      ...(refused.retried.get(name)?.size ? { retry: () => onlyIds(readRecords(options.input, header, { batchSize: target.batchSize, signal: options.signal }), refused.retried.get(name)!) } : {}),
      ...(options.skipInvalid ? { rejects: refused.log } : {}),
    };
    return importCollection(target, header, name, feed).then((result) => (database === undefined ? result : { ...result, database: options.target.database }));
  });
  await recordImportStep(target.store, options.input, options.target, results);
  const rejects = refused.log.written > 0 ? { path: refused.log.path, records: refused.log.written } : null;
  return { summary, batchSize: target.batchSize, collections: results, notes, ...(rejects ? { rejects } : {}) };
}

/**
 * Every collection and record checked against the target's rules before the first write. A
 * refusal stops the import with nothing written; with --skip-invalid the refused records go to
 * the rejects file and the rest is imported. The rejects file is rewritten by every import that
 * writes (removed when it refuses nothing), so verify never takes an earlier run's refusals for
 * this one's.
 */
async function refuseUpFront(options: ImportOptions, headers: Array<{ header: CollectionHeader; name: string }>, target: TargetSession, run: RejectsRun) {
  target.progress({ type: 'phase', message: `Checking every record of ${options.input} against ${options.target.url}'s rules` });
  const plan = await planTarget(
    target,
    headers.map(({ header, name }) => ({ header, name })),
    (header) => readRecords(options.input, header, { batchSize: 1000, signal: options.signal }),
  );
  const creation = creationRefusedError(plan, options.target.url);
  if (creation) throw creation;
  const refusedBy = addressOf(options.target.url);
  const planned = plan.collections.flatMap((entry) => entry.refused).map((entry) => ({ ...entry, database: options.target.database, ...(refusedBy ? { refusedBy } : {}) }));
  // A resumed collection's records set aside as they were sent (413 even alone) by this address
  // are not sent again: their lines stay. Another address's 413 excuses nothing here: sent again.
  const known = new Set(planned.map((entry) => `${entry.collection}\0${entry.id}`));
  const earlier = run.earlier.filter((entry) => headers.some(({ name }) => name === entry.collection) && !known.has(`${entry.collection}\0${entry.id}`));
  const { kept, retried } = splitForResume(earlier, targetRules(target.server.capabilities, options.target.cloud), options.target.url);
  const refused = [...planned, ...kept.map((entry) => ({ ...entry, database: options.target.database }))];
  const idsOf = (lines: RefusedRecord[]) => new Map(headers.map(({ name }) => [name, new Set(lines.filter((entry) => entry.collection === name).map((entry) => entry.id))]));
  const ids = idsOf(refused);
  const log = run.log;
  if (planned.length > 0 && !options.skipInvalid) {
    throw refusedError(planned, {
      stopped: 'Nothing was written: no collection was created.',
      fix: `Import the rest with --skip-invalid: the refused records are written to ${log.path}, typed as in the backup. Or mend them at the source and export again.`,
    });
  }
  await log.start(refused);
  if (planned.length > 0) target.progress({ type: 'warning', message: `Leaving out ${refused.length === 1 ? '1 record' : `${refused.length} records`} the target refuses, as chosen (--skip-invalid); they are in ${log.path}.` });
  return { ids, log, retried: idsOf(retried) };
}

/** The batches' records with these ids: those an earlier run set aside that this one sends again, read from the backup. */
async function* onlyIds(batches: AsyncIterable<BackupRecord[]>, ids: Set<string>): AsyncIterable<BackupRecord[]> {
  for await (const batch of batches) {
    const some = batch.filter((record) => ids.has(record.id));
    if (some.length > 0) yield some;
  }
}

/**
 * The earlier run's lines of this target database for collections this run resumes (a
 * checkpoint of this backup with records committed, not to be sent again from the first):
 * records set aside there as they were sent are before the resume point and not sent again.
 */
function resumedRefusals(options: ImportOptions, earlier: RefusedRecord[], target: TargetSession, backup: { fingerprint: string; only: boolean }): RefusedRecord[] {
  const key = targetKey(options.target);
  const fresh = options.ifExists === 'recreate' || options.again === true;
  const resumed = new Set(
    target.store.current.imports
      .filter((checkpoint) => checkpoint.fingerprint === backup.fingerprint && checkpoint.target === key && checkpoint.committed > 0 && !(checkpoint.done && fresh))
      .map((checkpoint) => checkpoint.collection),
  );
  return earlier.filter((line) => resumed.has(line.collection) && lineInDatabase(line, options.target.database, backup.only));
}

function selectCollections(summary: BackupSummary, wanted: string[] | undefined, renameTo: string | undefined, database?: string) {
  const headers = database === undefined ? summary.collections : summary.collections.filter((header) => header.database === database);
  const available = headers.map((header) => header.name);
  // In a file of several databases a name asked for need not be in each of them, only in one.
  const asked = wanted && wanted.length > 0 ? wanted : available;
  const chosen = database === undefined ? asked : asked.filter((name) => available.includes(name));
  const missing = asked.filter((name) => !summary.collections.some((header) => header.name === name));
  if (missing.length > 0) {
    throw new MigrateError('BAD_INPUT', `The backup has no collection named ${missing.map(inQuotes).join(', ')}.`, `It holds: ${available.map(shown).join(', ') || '(none)'}.`);
  }
  if (renameTo && chosen.length !== 1) {
    throw new MigrateError('BAD_INPUT', '--as renames one collection, but several are selected.', 'Pick one with --collection NAME.');
  }
  const selected = chosen.map((name) => ({
    header: headers.find((header) => header.name === name) as CollectionHeader,
    name: renameTo ?? name,
  }));
  // Before anything touches the target: a Chroma server takes no record without a vector, and
  // the import sends the stored vectors, it computes none.
  for (const { header } of selected) {
    if (header.withoutEmbedding) {
      throw new MigrateError(
        'BAD_BACKUP',
        `Collection ${inQuotes(header.name)} in the backup has ${fraction(header.withoutEmbedding, header.count)} records without an embedding; a Chroma server stores no record without one. Nothing was sent.`,
        (wanted && wanted.length > 0) || available.length === 1
          ? 'Export it again with embeddings included (the guide\'s Python export must ask for include=["embeddings", "documents", "metadatas"]).'
          : 'Export it again with embeddings included, or leave it out: pick the other collections with --collection.',
      );
    }
  }
  return selected;
}

/**
 * A backup that does not record the distance space (the guide's column-wise JSON without
 * collection metadata) gets the one the user names — asked before anything is written, and
 * only for collections that will be created. Never a quiet l2.
 */
async function chooseSpaces(
  headers: Array<{ header: CollectionHeader; name: string }>,
  api: ChromaApi,
  options: ImportOptions,
): Promise<Map<string, Space>> {
  const chosen = new Map<string, Space>();
  for (const { header, name } of headers) {
    if (!spaceUnknown(header)) continue;
    if (options.space) {
      options.onProgress?.({ type: 'warning', message: `The backup does not record the distance space of ${inQuotes(header.name)}; using ${options.space} (--space).` });
      chosen.set(name, options.space);
      continue;
    }
    const existing = await retryExplained(options.target, () => api.findCollection(name, { signal: options.signal }), { signal: options.signal });
    if (existing && options.ifExists !== 'recreate') continue;
    if (!options.decideSpace) {
      throw new MigrateError(
        'NEEDS_ANSWER',
        `The backup does not record which distance space collection ${inQuotes(header.name)} used (l2, cosine or ip). Nothing was written.`,
        'Say which with --space l2|cosine|ip — the one the source collection had (Chroma\'s default is l2; OpenAI-style embeddings are usually searched with cosine).',
      );
    }
    chosen.set(name, await options.decideSpace({ collection: name, source: header.name }));
  }
  return chosen;
}
