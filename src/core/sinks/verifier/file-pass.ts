import { inspectBackup, readRecords } from '../../backup/read.js';
import { numberTypesNote } from '../../backup/summary-notes.js';
import type { BackupRecord, BackupSummary, CollectionHeader } from '../../model/record.js';
import { ChromaApi, spaceOf } from '../../chroma/api.js';
import { describeServer } from '../../chroma/capabilities.js';
import type { Endpoint } from '../../chroma/endpoint.js';
import { retryExplained } from '../../chroma/explain.js';
import { refuseSharedTargets } from '../../chroma/databases.js';
import { fraction } from '../../util/format.js';
import { ignoreProgress, type ProgressListener } from '../../util/progress.js';
import { StateStore } from '../../state/store.js';
import { DEFAULT_PARALLEL, inParallel } from '../../util/pool.js';
import { linesIn, readRejectedLines, refusedIn, rejectFingerprint, rejectsPath } from '../target/rejects.js';
import { credibleRejects, tooLargeElsewhere } from '../target/rejects-trust.js';
import { noteTooLargeElsewhere } from './too-large-elsewhere.js';
import { targetRules } from '../target/refusals.js';
import { allVerified, checkTargetCollection, concludeVerdict, emptyVerdict, equalRecords, markRefused, measureTargetRecall, RecordChecker, type CollectionVerdict } from './checker.js';

export type { CollectionVerdict } from './checker.js';

export interface VerifyOptions {
  input: string;
  target: Endpoint;
  collections?: string[];
  /** Verify the (single) selected collection under another name on the target. */
  renameTo?: string;
  /** How many records query the target's index, to measure its recall. */
  sample?: number;
  statePath?: string;
  /** Collections in flight (default DEFAULT_PARALLEL). */
  parallel?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** A file holding several databases: another name on the target for some of them (default: the same name). */
  databaseMap?: ReadonlyMap<string, string>;
  /** The file as inspectBackup read it moments before (a finished copy's mend): not read through again for it. */
  summary?: BackupSummary;
}

export interface VerifyResult {
  summary: BackupSummary;
  collections: CollectionVerdict[];
  ok: boolean;
}

export async function verifyBackup(options: VerifyOptions): Promise<VerifyResult> {
  const progress = options.onProgress ?? ignoreProgress;
  const signal = options.signal;
  if (!options.summary) progress({ type: 'phase', message: `Checking ${options.input}` });
  const summary = options.summary ?? (await inspectBackup(options.input, { signal }));
  const note = numberTypesNote(summary);
  if (note) progress({ type: 'warning', message: note });
  const wanted = options.collections && options.collections.length > 0 ? options.collections : [...new Set(summary.collections.map((header) => header.name))];
  // A name in no collection of the file still gets its verdict (it fails); in a file of several
  // databases, every database's collection of that name is compared, each in its own database.
  const chosen = wanted.flatMap((name): Array<{ name: string; header: CollectionHeader | undefined }> => {
    const found = summary.collections.filter((header) => header.name === name);
    return found.length > 0 ? found.map((header) => ({ name, header })) : [{ name, header: undefined }];
  });
  refuseSharedTargets(chosen.flatMap(({ header }) => (header?.database === undefined ? [] : [header.database])), options.databaseMap);
  const rejects = rejectsPath(options.input);
  const rejected = await readRejectedLines(rejects);
  const targets = new Map<string, Promise<TargetContext>>();
  const targetFor = (database: string | undefined) => {
    const endpoint = database === undefined ? options.target : { ...options.target, database: options.databaseMap?.get(database) ?? database };
    const key = endpoint.database;
    if (!targets.has(key)) targets.set(key, openTargetContext(endpoint, signal));
    return targets.get(key)!;
  };

  const planned = wanted.map((name) => summary.collections.find((header) => header.name === name)?.count ?? 0);
  progress({ type: 'plan', collections: wanted.length, done: 0, records: planned.reduce((sum, value) => sum + value, 0) });
  // Several collections at once: each one's fixed round trips overlap with the others' reads.
  const verdicts = await inParallel(chosen, options.parallel ?? DEFAULT_PARALLEL, async ({ name, header }) =>
    verifyCollection(options, header, name, await targetFor(header?.database), { rejects, rejected }),
  );

  const ok = allVerified(verdicts);
  if (options.statePath) await recordVerifyStep(options.statePath, verdicts);
  return { summary, collections: verdicts, ok };
}

/** One collection of the file against the target, into its verdict. */
type TargetContext = Parameters<typeof checkTargetCollection>[2];

async function openTargetContext(endpoint: Endpoint, signal?: AbortSignal): Promise<TargetContext> {
  const api = new ChromaApi(endpoint);
  const call = <T>(work: () => Promise<T>) => retryExplained(endpoint, work, { signal });
  const server = await describeServer(api, { signal });
  return { api, call, server, cloud: endpoint.cloud, signal };
}

async function verifyCollection(
  options: VerifyOptions,
  header: CollectionHeader | undefined,
  sourceName: string,
  target: TargetContext,
  set: { rejects: string; rejected: Awaited<ReturnType<typeof readRejectedLines>> },
): Promise<CollectionVerdict> {
  const { api, call, signal } = target;
  const progress = options.onProgress ?? ignoreProgress;
  const name = options.renameTo ?? sourceName;
  const database = header?.database === undefined ? undefined : (options.databaseMap?.get(header.database) ?? header.database);
  // Only the lines of the database this collection is compared in: another database may hold a collection of the same name.
  const rules = targetRules(target.server.capabilities, target.cloud);
  const inDatabase = [database ?? options.target.database, database === undefined] as const;
  const refusedRecords = refusedIn(credibleRejects(set.rejected, rules, options.target.url), ...inDatabase).get(name);
  const elsewhere = linesIn(tooLargeElsewhere(set.rejected, rules, options.target.url), ...inDatabase).get(name);
  const refused = refusedRecords && new Map([...refusedRecords].map(([id, record]) => [id, rejectFingerprint(record)]));
  const verdict = emptyVerdict(name, (header?.count ?? 0) - (refused?.size ?? 0));
  if (database !== undefined) verdict.database = database;
  if (refused) markRefused(verdict, new Set(refused.keys()), set.rejects);
  if (!header) return verdict;
  const info = await checkTargetCollection(verdict, header, target);
  if (!info) return verdict;
  progress({ type: 'collection-start', collection: name, total: header.count, done: 0, resumed: false });

  // Several reads in flight, compared in file order: across a network each read is mostly
  // waiting for the round trip.
  const onMissing = noteTooLargeElsewhere(verdict, elsewhere, set.rejects);
  const checker = new RecordChecker(verdict, { api, call, collectionId: info.id, space: spaceOf(info), sample: options.sample ?? DEFAULT_SAMPLE, reference: 'the backup', signal, onMissing });
  // Excused only when the backup's record is the very one set aside; any other is checked.
  const excused = new Set<string>();
  const setAside = (record: BackupRecord) => refused?.get(record.id) === rejectFingerprint(record) && excused.add(record.id);
  try {
    for await (const batch of readRecords(options.input, header, { batchSize: 250, signal })) {
      await checker.check(refused ? batch.filter((record) => !setAside(record)) : batch);
      progress({ type: 'batch', collection: name, done: verdict.compared, total: header.count });
    }
    await checker.finish();
  } finally {
    checker.abandon();
  }
  if (refused) {
    verdict.expected = header.count - excused.size;
    delete verdict.refused;
    markRefused(verdict, excused, set.rejects);
  }
  concludeVerdict(verdict);
  // A second pass over the file: the sample's true neighbours are among all its records.
  await measureTargetRecall(verdict, checker.samples, readRecords(options.input, header, { batchSize: 1000, signal }), { api, call, signal });
  progress({ type: 'collection-done', collection: name, done: verdict.compared, total: header.count });
  return verdict;
}

/** Recall queries per collection unless told otherwise. */
export const DEFAULT_SAMPLE = 20;

/** Step 6 in the state file: done when every collection verified, with each one's count. */
export async function recordVerifyStep(statePath: string, verdicts: CollectionVerdict[]): Promise<void> {
  const ok = allVerified(verdicts);
  const store = await StateStore.open(statePath);
  await store.update((state) => ({
    ...state,
    steps: {
      ...state.steps,
      verify: {
        status: ok ? 'done' : 'failed',
        at: new Date().toISOString(),
        detail: verdicts.map(stepDetail).join(', '),
      },
    },
  }));
}

/** "docs: 1,177 of 1,177 equal (index recall 0.97 at k=10)": the records decide, the recall is beside them. */
function stepDetail(verdict: CollectionVerdict): string {
  const { recall } = verdict;
  const measured = recall.recall === null ? '' : ` (index recall ${recall.recall.toFixed(2)} at k=${recall.k})`;
  return `${verdict.collection}: ${fraction(equalRecords(verdict), verdict.expected)} equal${measured}`;
}
