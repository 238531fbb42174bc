/**
 * `copy --dry-run`: the plan import --dry-run shows, for a copy. The copy's records are on the
 * source, so every one is read (ids, then records by id) and checked against the target's
 * rules; the target is only asked what it holds. Nothing is written: not the target, not the
 * backup file, not the state.
 */
import { storedHeader } from '../backup/jsonl/format.js';
import { ChromaApi } from '../chroma/api.js';
import type { Endpoint } from '../chroma/endpoint.js';
import { retryExplained } from '../chroma/explain.js';
import { listIdSet, recordsByIds } from '../chroma/id-list.js';
import type { CompactIdSet } from '../util/compact-ids.js';
import { choose, collectionHeader } from '../sources/server/export-pump.js';
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
  batchSize?: number;
  statePath: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface CopyPlanResult {
  batchSize: number;
  plan: TargetPlan;
  notes: string[];
}

export async function planCopy(options: CopyPlanOptions): Promise<CopyPlanResult> {
  const progress = options.onProgress ?? ignoreProgress;
  const signal = options.signal;
  if (options.renameTo !== undefined && options.collections?.length !== 1) {
    throw new MigrateError('BAD_INPUT', '--as renames one collection, but it needs that one named.', 'Pick it with --collections NAME.');
  }
  const source = await sourceDatabase(options.source, signal);
  const api = new ChromaApi(source);
  const call = <T>(work: () => Promise<T>) => retryExplained(source, work, { signal });
  progress({ type: 'phase', message: `Listing collections on ${source.cloud ? 'Chroma Cloud' : source.url}` });
  const chosen = choose(await call(() => api.allCollections({ signal })), options.collections);
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
  return { batchSize: target.batchSize, plan, notes: await placeNotes(options.target, 'the copy', signal) };
}
