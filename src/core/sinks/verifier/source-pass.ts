/**
 * verify against the live source instead of a file: the reference is what the source holds now,
 * so a backup that missed records (offset paging while the source changed) cannot vouch for a
 * target that misses them too. Per collection: the id sets both ways, every record type for
 * type, the collection itself (metadata, embedding function, space, HNSW, schema) as importing
 * the source's header gives it, and the target index's recall against the source's records.
 * The source's ids are held as one compact set and the target's listed against it (marks, and
 * only the ids the source lacks kept): no array or Set of every id, at a million of them.
 */
import type { CollectionHeader, Space } from '../../model/record.js';
import { ChromaApi, spaceOf, type CollectionInfo } from '../../chroma/api.js';
import { describeServer } from '../../chroma/capabilities.js';
import type { Endpoint } from '../../chroma/endpoint.js';
import { retryExplained } from '../../chroma/explain.js';
import { idsHeld, listIdSet, listIdsAgainst, recordsByIds } from '../../chroma/id-list.js';
import { sourceDatabase } from '../../chroma/databases.js';
import { factsOf } from '../../collection/compare.js';
import { withoutSecrets } from '../../backup/secrets.js';
import { MigrateError } from '../../util/errors.js';
import { ignoreProgress, type ProgressListener } from '../../util/progress.js';
import type { BackupRecord } from '../../model/record.js';
import { allVerified, checkTargetCollection, comparisonSpace, concludeVerdict, emptyVerdict, LISTED, markRefused, RecordChecker, recordDifferences, type CollectionVerdict } from './checker.js';
import { linesIn, readRejectedLines, refusedIn } from '../target/rejects.js';
import { credibleRejects, tooLargeElsewhere } from '../target/rejects-trust.js';
import { noteTooLargeElsewhere } from './too-large-elsewhere.js';
import { targetRules } from '../target/refusals.js';
import { recordVerifyStep, DEFAULT_SAMPLE } from './file-pass.js';
import { differences, differencesAgainst, tally, type IdDifference, type InBackup, type NamedIds } from './id-sets.js';
import { readIds } from '../../backup/read.js';
import { CompactIdSet } from '../../util/compact-ids.js';
import { IdsAgainst } from '../../util/ids-against.js';
import { confirmedDifference, type Compare, type SourceToAsk } from './one-sided.js';
import { DEFAULT_K, measureRecall, TrueNeighbours } from './recall.js';
import { inQuotes, shown } from '../../util/format.js';

export interface SourceVerifyOptions {
  source: Endpoint;
  target: Endpoint;
  /** Names on the source; all when empty. */
  collections?: string[];
  /** The (single) selected collection is on the target under this name. */
  renameTo?: string;
  /** Records that query the target's index to measure its recall. */
  sample?: number;
  statePath?: string;
  /** A rejects file of an import or copy with --skip-invalid: its records are listed as refused by the target, not missing. */
  rejects?: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface SourceVerifyResult {
  collections: CollectionVerdict[];
  ok: boolean;
}

type Call = <T>(work: () => Promise<T>) => Promise<T>;

interface Side {
  api: ChromaApi;
  call: Call;
}

/** A server to read, each request with its retries and its errors in words. */
function sideOf(endpoint: Endpoint, signal?: AbortSignal): Side {
  return { api: new ChromaApi(endpoint), call: (work) => retryExplained(endpoint, work, { signal }) };
}

export async function verifyAgainstSource(options: SourceVerifyOptions): Promise<SourceVerifyResult> {
  const progress = options.onProgress ?? ignoreProgress;
  const signal = options.signal;
  if (options.renameTo !== undefined && options.collections?.length !== 1) {
    throw new MigrateError('BAD_INPUT', '--as names one collection on the target, but it needs that one named.', 'Pick it with --collections NAME.');
  }
  const sourceEndpoint = await sourceDatabase(options.source, signal);
  const source = sideOf(sourceEndpoint, signal);
  const target = sideOf(options.target, signal);
  progress({ type: 'phase', message: `Listing collections on ${sourceEndpoint.cloud ? 'Chroma Cloud' : sourceEndpoint.url}` });
  const chosen = choose(await source.call(() => source.api.allCollections({ signal })), options.collections);
  if (chosen.length === 0) throw new MigrateError('NOT_FOUND', `Database ${inQuotes(sourceEndpoint.database)} at ${sourceEndpoint.url} holds no collections: nothing to verify against.`, 'Check the name given with --database (or CHROMA_DATABASE in .env).');
  const server = await describeServer(target.api, { signal });
  // The source is one database: lines naming none are its; lines of another target database are not.
  const lines = options.rejects ? await readRejectedLines(options.rejects) : [];
  const rules = targetRules(server.capabilities, options.target.cloud);
  const rejected = refusedIn(credibleRejects(lines, rules, options.target.url), options.target.database, true);
  const elsewhere = linesIn(tooLargeElsewhere(lines, rules, options.target.url), options.target.database, true);
  const verdicts: CollectionVerdict[] = [];
  for (const info of chosen) {
    const name = options.renameTo ?? info.name;
    progress({ type: 'phase', message: `Listing the ids of ${inQuotes(info.name)} on the source and ${inQuotes(name)} on the target` });
    const listed = await listSourceSide(source, info, sourceEndpoint.cloud ? { target, name } : null, signal);
    // Refused by the target and set aside (--skip-invalid): not expected there, when the source still holds exactly that record.
    const refused = await stillAsSetAside(source, info, listed, rejected.get(name), signal);
    const sourceIds = without(listed, refused);
    const verdict = { ...emptyVerdict(name, sourceIds.size), against: 'source' as const };
    markRefused(verdict, refused, options.rejects ?? '');
    verdicts.push(verdict);
    const targetInfo = await checkTargetCollection(verdict, sourceHeader(info, sourceIds.size), { api: target.api, call: target.call, server, cloud: options.target.cloud, signal });
    if (!targetInfo) {
      verdict.missingIds = sourceIds.slice(0, LISTED);
      continue;
    }
    // Missing in the source's order; extra (a refused id the target holds among them) in the target's.
    const onTarget = await listIdsAgainst(target.api, targetInfo.id, sourceIds, { call: target.call, signal, name });
    verdict.expected += await heldAfterAll(source, info, sourceIds, onTarget.outside, refused, signal);
    noteDifference(verdict, differencesAgainst(IdsAgainst.whole(sourceIds), onTarget, undefined, LISTED));
    const onMissing = noteTooLargeElsewhere(verdict, elsewhere.get(name), options.rejects ?? '');
    await compareRecords(verdict, { source, sourceId: info.id, sourceSpace: spaceOf(info), sourceIds, onTarget, target, targetInfo, sample: options.sample ?? DEFAULT_SAMPLE, signal, progress, onMissing });
  }
  if (options.statePath) await recordVerifyStep(options.statePath, verdicts);
  return { collections: verdicts, ok: allVerified(verdicts) };
}

/**
 * The source's ids as one listing. On Cloud, with the target collection there, the target's ids
 * are listed first (off Cloud, pages of 20,000) and read back from the source by id, with the
 * count before and after (id-list.ts): paged by offset in Cloud's 300s, each page skips every id
 * before it (a million ids took 612 s on a single node, 9–25 s by id). The source's set is then
 * the target's ids it holds plus any others its listing found.
 */
async function listSourceSide(source: Side, info: CollectionInfo, against: { target: Side; name: string } | null, signal?: AbortSignal): Promise<CompactIdSet> {
  const found = against ? await against.target.call(() => against.target.api.findCollection(against.name, { signal })) : null;
  if (!against || !found) return listIdSet(source.api, info.id, { call: source.call, signal, name: info.name });
  const onTarget = await listIdSet(against.target.api, found.id, { call: against.target.call, signal, name: against.name });
  const atSource = await listIdsAgainst(source.api, info.id, onTarget, { call: source.call, signal, name: info.name });
  const ids = new CompactIdSet(atSource.size);
  for (let at = 0; at < onTarget.size; at++) if (atSource.has(at)) ids.add(onTarget.idAt(at));
  for (let at = 0; at < atSource.outside.size; at++) ids.add(atSource.outside.idAt(at));
  return ids;
}

/**
 * Ids only the target listed, asked for at the source by id: those it holds (its listing did not
 * have them: added while it was listed, or deleted and added again) join the source's ids, to be
 * compared record by record like the rest, not called extra. Refused ones stay out. Answers how
 * many joined; no request when the target listed no id the source did not.
 */
async function heldAfterAll(source: Side, info: CollectionInfo, sourceIds: CompactIdSet, targetOnly: CompactIdSet, refused: ReadonlySet<string>, signal?: AbortSignal): Promise<number> {
  if (targetOnly.size === 0) return 0;
  let joined = 0;
  for (const id of await idsHeld(source.api, info.id, targetOnly, { call: source.call, signal, name: info.name })) {
    if (!refused.has(id) && sourceIds.add(id)) joined++;
  }
  return joined;
}

/**
 * The ids a rejects file excuses: those whose record the source holds now exactly as it was set
 * aside (the checker's comparison). A line for a valid record, or for one since mended at the
 * source, excuses nothing: that record is compared with the target like any other.
 */
async function stillAsSetAside(source: Side, info: CollectionInfo, listed: CompactIdSet, setAside: ReadonlyMap<string, BackupRecord> | undefined, signal?: AbortSignal): Promise<Set<string>> {
  const excused = new Set<string>();
  if (!setAside || setAside.size === 0) return excused;
  const ids = [...setAside.keys()].filter((id) => listed.indexOf(id) >= 0);
  for await (const batch of recordsByIds(source.api, info.id, ids, { call: source.call, signal })) {
    for (const record of batch) {
      const aside = setAside.get(record.id);
      const { fields, sparseNotCarried } = recordDifferences(record, aside!, spaceOf(info));
      if (fields.length === 0 && sparseNotCarried.length === 0) excused.add(record.id);
    }
  }
  return excused;
}

/** The source's ids less those excused, in the same order (the same set when none are). */
function without(listed: CompactIdSet, excused: ReadonlySet<string>): CompactIdSet {
  if (excused.size === 0) return listed;
  const kept = new CompactIdSet(listed.size - excused.size);
  for (let index = 0; index < listed.size; index++) {
    const id = listed.idAt(index);
    if (!excused.has(id)) kept.add(id);
  }
  return kept;
}

/**
 * The id sets both ways, into the verdict: ids the source holds and the target lacks (missing),
 * ids the target holds and the source does not (extra). Record comparison counts missing ids
 * again as it reads them; this sets the count from the sets, once.
 */
function noteDifference(verdict: CollectionVerdict, found: IdDifference): void {
  verdict.missing = Math.max(verdict.missing, found.missing);
  verdict.missingIds = [...new Set([...verdict.missingIds, ...found.missingIds])].slice(0, LISTED);
  verdict.extra = found.extra;
  verdict.extraIds = found.extraIds;
  if (found.added && found.added.count > 0) verdict.addedAtSource = found.added;
}

/**
 * A copy's backup file (once finished: a closing check may begin before the export has renamed
 * it) and the collection's name in it: what a closing check reads when the target lacks ids the
 * source holds.
 */
export interface BackupOf {
  file: () => Promise<string>;
  collection: string;
}

/**
 * The closing check's differences, told apart once the target lacks ids the source holds: those
 * the backup holds are missing (lost on the way), the others the source added after the copy read
 * it (addedAtSource). The backup's ids are read from the file only then (each line no further than
 * its id): most checks find none.
 */
async function againstBackup(found: IdDifference, backup: BackupOf | undefined, again: (inBackup: InBackup) => IdDifference, signal?: AbortSignal): Promise<IdDifference> {
  if (!backup || found.missing === 0) return found;
  const inFile = new CompactIdSet();
  for await (const ids of readIds(await backup.file(), backup.collection, { batchSize: 1000, signal })) for (const id of ids) inFile.add(id);
  return again((id) => inFile.indexOf(id) >= 0);
}

/**
 * A copy's last check: the target's ids against the source's ids as they are now, both ways,
 * into the verdict (which then holds only if they are the same sets). `targetInfo`: the target
 * collection as the verdict read it, listed by its id (a collection gone since fails the listing).
 * `sourceIds`: the source's side, started earlier (listSourceIds) once every record had landed.
 * Both sides are listed at once, each into a compact set (id-sets.ts): at a million ids a side
 * they take tens of MB, where arrays of strings and Sets over them took ~200.
 */
export async function checkIdsAgainstSource(
  verdict: CollectionVerdict,
  sourceName: string,
  sides: {
    source: Endpoint;
    target: Endpoint;
    signal?: AbortSignal;
    refused?: ReadonlySet<string>;
    targetInfo?: CollectionInfo;
    sourceIds?: Promise<CompactIdSet | null>;
    backup?: BackupOf;
  },
): Promise<void> {
  const { signal } = sides;
  const sourceIds = sides.sourceIds ?? listSourceIds(sides.source, sourceName, signal);
  sourceIds.catch(() => undefined); // awaited below, beside the target's side
  const targetIds = listTargetSide(verdict, sides, (target, collectionId) => listIdSet(target.api, collectionId, { call: target.call, signal, name: verdict.collection }));
  const [atSource, onTarget] = await Promise.all([sourceIds, targetIds]);
  if (!atSource || !onTarget) return;
  // Set aside as refused (--skip-invalid): the target lacks them by choice, not by loss.
  const compare: Compare = (inBackup, also) => differences(atSource, onTarget, sides.refused, LISTED, inBackup, also);
  const asked = sourceByName(sides.source, sourceName, signal);
  noteDifference(verdict, await confirmedDifference(compare, asked, (again, found) => againstBackup(found, sides.backup, again, signal)));
  concludeVerdict(verdict);
}

/**
 * The same last check with the target's ids listed first and the source's against them: on
 * Cloud that reads the target's ids back from the source by id, with the count before and after
 * (id-list.ts), instead of paging the source by offset (each page skips every id before it: a
 * million ids took 612 s in Cloud's pages of 300 on a single node, 9–25 s by id). Only the
 * target's set is held, and the source's listing is marked against it.
 */
export async function checkIdsTargetFirst(
  verdict: CollectionVerdict,
  sourceName: string,
  sides: { source: Endpoint; target: Endpoint; signal?: AbortSignal; refused?: ReadonlySet<string>; targetInfo?: CollectionInfo; backup?: BackupOf },
): Promise<void> {
  const { signal } = sides;
  const onTarget = await listTargetSide(verdict, sides, (target, collectionId) => listIdSet(target.api, collectionId, { call: target.call, signal, name: verdict.collection }));
  if (!onTarget) return;
  const source = sideOf(sides.source, signal);
  const info = await source.call(() => source.api.findCollection(sourceName, { signal }));
  if (!info) return;
  const atSource = await listIdsAgainst(source.api, info.id, onTarget, { call: source.call, signal, reads: CLOSING_SOURCE_READS, name: sourceName });
  // Set aside as refused (--skip-invalid): the target lacks them by choice, not by loss.
  const compare: Compare = (inBackup, also) => differencesAgainst(atSource, IdsAgainst.whole(onTarget), sides.refused, LISTED, inBackup, also);
  const asked = () => Promise.resolve({ api: source.api, collectionId: info.id, options: { call: source.call, signal } });
  noteDifference(verdict, await confirmedDifference(compare, asked, (again, found) => againstBackup(found, sides.backup, again, signal)));
  concludeVerdict(verdict);
}

/**
 * The same last check of a copy's last collection, whose sides were listed against its export
 * file's ids (ids-against.ts) once every record had landed: the source's by the export's end
 * check, the target's beside it, or now when records were sent or deleted there since. Only the
 * file's set of ids is held; the comparison is as exact (differencesAgainst).
 */
export async function checkListedIds(
  verdict: CollectionVerdict,
  sourceName: string,
  sides: {
    source: Endpoint;
    target: Endpoint;
    signal?: AbortSignal;
    refused?: ReadonlySet<string>;
    targetInfo?: CollectionInfo;
    listed: { source: IdsAgainst; target: Promise<IdsAgainst | null> | null };
  },
): Promise<void> {
  const { signal, listed } = sides;
  const onTarget = await (listed.target ?? listTargetSide(verdict, sides, (target, collectionId) => listIdsAgainst(target.api, collectionId, listed.source.index, { call: target.call, signal, name: verdict.collection })));
  if (!onTarget) return;
  // Set aside as refused (--skip-invalid): the target lacks them by choice, not by loss. The
  // listings' set is the export file's ids: an id outside it the backup does not hold.
  const inFile = listed.source.index;
  const inBackup: InBackup = (id) => inFile.indexOf(id) >= 0;
  const compare: Compare = (_, also) => differencesAgainst(listed.source, onTarget, sides.refused, LISTED, inBackup, also);
  noteDifference(verdict, await confirmedDifference(compare, sourceByName(sides.source, sourceName, signal)));
  concludeVerdict(verdict);
}

/** The source collection of this name, to ask for ids by id (one-sided.ts): looked up only when some id is one-sided. */
function sourceByName(endpoint: Endpoint, name: string, signal?: AbortSignal): SourceToAsk {
  return async () => {
    const source = sideOf(endpoint, signal);
    const info = await source.call(() => source.api.findCollection(name, { signal }));
    return info ? { api: source.api, collectionId: info.id, options: { call: source.call, signal, name } } : null;
  };
}

/**
 * The target's side of a closing id check, as `list` takes it: the collection the verdict found
 * (`targetInfo`), else found by its name now; null when the target no longer has one.
 */
async function listTargetSide<T>(
  verdict: CollectionVerdict,
  sides: { target: Endpoint; signal?: AbortSignal; targetInfo?: CollectionInfo },
  list: (target: Side, collectionId: string) => Promise<T>,
): Promise<T | null> {
  const { signal } = sides;
  const target = sideOf(sides.target, signal);
  const info = sides.targetInfo ?? (await target.call(() => target.api.findCollection(verdict.collection, { signal })));
  return info ? list(target, info.id) : null;
}

/**
 * The source's side of a closing id check: the collection found by its name (null when the
 * source no longer has one) and its ids as one listing its count confirms. It needs nothing
 * from the target, so a copy starts it as soon as every record has landed.
 */
export async function listSourceIds(endpoint: Endpoint, name: string, signal?: AbortSignal): Promise<CompactIdSet | null> {
  const source = sideOf(endpoint, signal);
  const info = await source.call(() => source.api.findCollection(name, { signal }));
  return info ? listIdSet(source.api, info.id, { call: source.call, signal, reads: CLOSING_SOURCE_READS, name }) : null;
}

/**
 * Pages of a closing source listing in flight. Every page of the collection was read by then,
 * so nothing else of the copy reads it: the export's own window on Cloud (8 of the 10 concurrent
 * reads a collection allows), where other listings keep 6. Over +80 ms a listing of 20k ids (67
 * pages of 300) is most of a copy's tail.
 */
const CLOSING_SOURCE_READS = 8;

async function compareRecords(
  verdict: CollectionVerdict,
  work: {
    source: Side;
    sourceId: string;
    sourceSpace: Space | null;
    sourceIds: CompactIdSet;
    /** The target's ids, listed against `sourceIds`. */
    onTarget: IdsAgainst;
    target: Side;
    targetInfo: CollectionInfo;
    sample: number;
    signal?: AbortSignal;
    progress: ProgressListener;
    onMissing?: (id: string) => void;
  },
): Promise<void> {
  const { source, target, targetInfo, signal, progress, onMissing } = work;
  // The target's index answers the recall queries in its own space; records compare in the stricter of both.
  const space = spaceOf(targetInfo);
  // The ids are known up front: the sample is read first, and its true neighbours are found
  // in the same pass that compares every record.
  const every = Math.max(1, Math.floor(work.sourceIds.size / Math.max(1, work.sample)));
  const sampleIds: string[] = [];
  for (let index = 0; index < work.sourceIds.size && sampleIds.length < work.sample; index += every) sampleIds.push(work.sourceIds.idAt(index));
  const samples = [];
  for await (const batch of recordsByIds(source.api, work.sourceId, sampleIds, { call: source.call, signal })) samples.push(...batch.filter((record) => record.embedding !== null));
  const truth = new TrueNeighbours(samples, space ?? 'l2', DEFAULT_K);
  // The missing ids are counted from the id sets; the checker counts them again as it reads.
  const missingFromSets = verdict.missing;
  const idsFromSets = verdict.missingIds;
  verdict.missing = 0;
  verdict.missingIds = [];
  const checker = new RecordChecker(verdict, { api: target.api, call: target.call, collectionId: targetInfo.id, space: comparisonSpace(work.sourceSpace, space), sample: 0, signal, onMissing });
  progress({ type: 'collection-start', collection: verdict.collection, total: work.sourceIds.size, done: 0, resumed: false });
  // Which listed ids the source still answered: one it no longer holds was deleted during the verify.
  const read = new Uint8Array(work.sourceIds.size);
  try {
    for await (const batch of recordsByIds(source.api, work.sourceId, work.sourceIds, { call: source.call, signal })) {
      for (const record of batch) read[work.sourceIds.indexOf(record.id)] = 1;
      truth.add(batch);
      await checker.check(batch);
      progress({ type: 'batch', collection: verdict.collection, done: verdict.compared, total: work.sourceIds.size });
    }
    await checker.finish();
  } finally {
    checker.abandon();
  }
  // The source listed these and no longer held them when read: a target that lacks them lost nothing.
  const goneLacking = noteGone(verdict, work.sourceIds, read, work.onTarget);
  verdict.missing = Math.max(verdict.missing, missingFromSets - goneLacking.size);
  verdict.missingIds = [...new Set([...idsFromSets.filter((id) => !goneLacking.has(id)), ...verdict.missingIds])].slice(0, LISTED);
  concludeVerdict(verdict);
  verdict.recall = await measureRecall(truth, { api: target.api, call: target.call, collectionId: targetInfo.id, efSearch: factsOf(targetInfo).hnsw.ef_search ?? null, signal });
  progress({ type: 'collection-done', collection: verdict.collection, done: verdict.compared, total: work.sourceIds.size });
}

/**
 * The listed ids the source did not answer when its records were read: gone from it meanwhile.
 * Answers those of them the target lacks (the id sets counted them missing).
 */
function noteGone(verdict: CollectionVerdict, sourceIds: CompactIdSet, read: Uint8Array, onTarget: IdsAgainst): Set<string> {
  const gone: NamedIds = { count: 0, ids: [] };
  const lacking = new Set<string>();
  for (let at = 0; at < read.length; at++) {
    if (read[at] !== 0) continue;
    tally(gone, () => sourceIds.idAt(at), LISTED);
    if (!onTarget.has(at)) lacking.add(sourceIds.idAt(at));
  }
  if (gone.count > 0) verdict.goneAtSource = gone;
  return lacking;
}

/** The source's collection as a backup header would record it (credentials aside, which a file never holds). */
export function sourceHeader(info: CollectionInfo, count: number): CollectionHeader {
  return {
    name: info.name,
    metadata: info.metadata ?? null,
    space: spaceOf(info),
    count,
    dimension: info.dimension ?? null,
    configuration: info.configuration_json ? (withoutSecrets(info.configuration_json) as CollectionHeader['configuration']) : null,
    schema: info.schema ? (withoutSecrets(info.schema) as CollectionHeader['schema']) : null,
  };
}

function choose(all: CollectionInfo[], wanted: string[] | undefined): CollectionInfo[] {
  if (!wanted || wanted.length === 0) return [...all].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const missing = wanted.filter((name) => !all.some((info) => info.name === name));
  if (missing.length > 0) {
    throw new MigrateError('NOT_FOUND', `The source has no collection named ${missing.map(inQuotes).join(', ')}.`, `It has: ${all.map((info) => info.name).sort().map(shown).join(', ') || '(none)'}.`);
  }
  return wanted.map((name) => all.find((info) => info.name === name) as CollectionInfo);
}
