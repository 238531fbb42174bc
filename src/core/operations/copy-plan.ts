/**
 * `copy --dry-run`: the plan import --dry-run shows, for a copy. The copy's records are on the
 * source, so every one is read (ids, then records by id) and checked against the target's
 * rules; the target is only asked what it holds. Nothing is written: not the target, not the
 * backup file, not the state. What the real run refuses before it writes, the dry run refuses
 * in the same words: an --out that is a folder, a source database that holds no collections;
 * an --out already there that is not the copy's own is told with the plan, as where it would stop.
 */
import { storedHeader } from '../backup/jsonl/format.js';
import { ChromaApi } from '../chroma/api.js';
import { sourceKeys, type Endpoint } from '../chroma/endpoint.js';
import { retryExplained } from '../chroma/explain.js';
import { listIdSet, recordsByIds } from '../chroma/id-list.js';
import type { CompactIdSet } from '../util/compact-ids.js';
import { resolve } from 'node:path';
import { collectionHeader, someChosen } from '../sources/server/export-pump.js';
import { outClaim, outTakenNote, writtenBySameExport, type OutClaim } from '../state/replace-out.js';
import { loadState } from '../state/store.js';
import { checkWritablePath } from '../util/out-path.js';
import { sourceDatabase } from '../chroma/databases.js';
import type { IfExists } from '../sinks/target/choices.js';
import { planTarget, type PlanItem, type TargetPlan } from '../sinks/target/plan.js';
import { openTarget } from '../sinks/target/session.js';
import { placeNotes } from '../sinks/target/place.js';
import { MigrateError } from '../util/errors.js';
import { ignoreProgress, type ProgressListener } from '../util/progress.js';
import { inQuotes } from '../util/format.js';

export interface CopyPlanOptions {
  source: Endpoint;
  target: Endpoint;
  collections?: string[];
  renameTo?: string;
  ifExists: IfExists;
  /** The backup the real run would write, and whether it may replace a file there (--overwrite). */
  out: string;
  overwrite?: boolean;
  batchSize?: number;
  statePath: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface CopyPlanResult {
  batchSize: number;
  plan: TargetPlan;
  notes: string[];
  /** What the real run would do with --out (`taken`: stop there, asking first at a terminal). */
  out: { path: string; claim: OutClaim };
}

export async function planCopy(options: CopyPlanOptions): Promise<CopyPlanResult> {
  const progress = options.onProgress ?? ignoreProgress;
  const signal = options.signal;
  if (options.renameTo !== undefined && options.collections?.length !== 1) {
    throw new MigrateError('BAD_INPUT', '--as renames one collection, but it needs that one named.', 'Pick it with --collections NAME.');
  }
  const out = resolve(options.out);
  await checkWritablePath(out);
  const source = await sourceDatabase(options.source, signal);
  const api = new ChromaApi(source);
  const call = <T>(work: () => Promise<T>) => retryExplained(source, work, { signal });
  progress({ type: 'phase', message: `Listing collections on ${source.cloud ? 'Chroma Cloud' : source.url}` });
  const chosen = someChosen(await call(() => api.allCollections({ signal })), options.collections, source);
  const names = chosen.map((info) => info.name);
  const ours = async () => writtenBySameExport((await loadState(options.statePath)).exports, out, sourceKeys(source, source.database), names);
  const claim = await outClaim(out, ours, options.overwrite === true);
  const target = await openTarget({ ...options, planOnly: true, onProgress: progress });
  const ids = new Map<string, CompactIdSet>();
  const items: PlanItem[] = [];
  for (const info of chosen) {
    progress({ type: 'phase', message: `Reading ${inQuotes(info.name)} on the source` });
    const found = await listIdSet(api, info.id, { call, signal, name: info.name });
    ids.set(info.name, found);
    // The header as the backup would keep it (credentials withheld): what the copy creates from.
    items.push({ header: storedHeader(await collectionHeader(api, info, found.size, call, signal)), name: options.renameTo ?? info.name, sourceId: info.id });
  }
  progress({ type: 'phase', message: `Checking every record against ${options.target.url}'s rules` });
  const plan = await planTarget(target, items, (header) => {
    const info = chosen.find((candidate) => candidate.name === header.name)!;
    return recordsByIds(api, info.id, ids.get(header.name) ?? [], { call, signal });
  });
  const outNotes = claim === 'taken' ? [outTakenNote(out)] : claim === 'overwrite' ? [`${out} exists: the copy would replace it (--overwrite).`] : [];
  return { batchSize: target.batchSize, plan, notes: [...(await placeNotes(options.target, 'the copy', signal)), ...outNotes], out: { path: out, claim } };
}
