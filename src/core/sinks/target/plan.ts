/**
 * Every collection planned before any is written: what the target holds under each name, what
 * it will create (space, EF, HNSW or schema), what is left out and why, and what it would
 * refuse — the collection's creation and each record, by id and key (refusals.ts). An import
 * stops on a refusal with nothing written; `--dry-run` prints this plan and stops there.
 */
import type { BackupRecord, CollectionHeader, Space } from '../../model/record.js';
import { planCollection, type LeftOut } from '../../collection/plan.js';
import { spaceOf } from '../../chroma/api.js';
import type { EmbeddingFunctionConfig, HnswParams } from '../../collection/shape.js';
import { retryExplained } from '../../chroma/explain.js';
import { MigrateError } from '../../util/errors.js';
import { creationProblems, recordProblems, targetRules, type Problem, type TargetRules } from './refusals.js';
import type { RefusedRecord } from './rejects.js';
import type { TargetSession } from './session.js';
import { inQuotes } from '../../util/format.js';

/** What happens to the collection under that name on the target. */
type PlannedAction = 'create' | 'recreate' | 'append' | 'ask' | 'stop' | 'source';

export interface PlannedCollection {
  source: string;
  name: string;
  /** Of a backup holding several databases: the target's database it goes into (and was looked up in). */
  database?: string;
  records: number;
  /** The collection already there under that name, with its records and space. */
  existing: { count: number; space: Space | null } | null;
  action: PlannedAction;
  /** What the create request carries, when the collection is (re)created. */
  create: { carries: 'schema' | 'configuration' | 'nothing'; space: Space | null; embeddingFunction: EmbeddingFunctionConfig | null; hnsw: HnswParams } | null;
  leftOut: LeftOut[];
  /** Why creating it would be refused (its name, metadata keys, EF type). */
  creationRefused: Problem[];
  refused: RefusedRecord[];
}

export interface TargetPlan {
  collections: PlannedCollection[];
  /** Of a backup holding several databases: each database of the file, its name on the target, and whether the target has it. */
  databases?: Array<{ source: string; name: string; exists: boolean }>;
  /** Records read and checked. */
  scanned: number;
}

export interface PlanItem {
  header: CollectionHeader;
  name: string;
  space?: Space;
  /** A copy's: the collection's id on the source. The target's collection of that id is the source itself: refused. */
  sourceId?: string;
}

/**
 * Plans every collection; reads the target (find, count), writes nothing. In a database the
 * target lacks (`absent`) every collection is to be created, and none is looked up.
 */
export async function planTarget(session: TargetSession, items: PlanItem[], records: (header: CollectionHeader) => AsyncIterable<BackupRecord[]>, absent = false): Promise<TargetPlan> {
  const rules = targetRules(session.server.capabilities, session.options.target.cloud);
  const collections: PlannedCollection[] = [];
  let scanned = 0;
  for (const item of items) {
    const entry = await planOne(session, item, rules, absent);
    for await (const batch of records(item.header)) {
      session.options.signal?.throwIfAborted();
      for (const record of batch) {
        scanned++;
        const problems = recordProblems(record, rules);
        if (problems.length > 0) entry.refused.push({ collection: item.name, id: record.id, problems, record });
      }
    }
    collections.push(entry);
  }
  return { collections, scanned };
}

async function planOne(session: TargetSession, { header, name, space, sourceId }: PlanItem, rules: TargetRules, absent: boolean): Promise<PlannedCollection> {
  const { api, options } = session;
  const read = <T>(work: () => Promise<T>) => retryExplained(options.target, work, { signal: options.signal });
  const found = absent ? null : await read(() => api.findCollection(name, { signal: options.signal }));
  const count = found ? await read(() => api.count(found.id, { signal: options.signal })) : 0;
  const action: PlannedAction = found && found.id === sourceId ? 'source' : !found ? 'create' : count === 0 ? 'append' : options.ifExists === 'abort' ? 'stop' : options.ifExists;
  const creates = action === 'create' || action === 'recreate';
  const plan = planCollection(header, session.server, { space: space ?? null, cloud: options.target.cloud });
  return {
    source: header.name,
    name,
    records: header.count,
    existing: found ? { count, space: spaceOf(found) } : null,
    action,
    create: creates ? { carries: plan.carries, space: plan.intended.space, embeddingFunction: plan.intended.embeddingFunction, hnsw: plan.intended.hnsw } : null,
    leftOut: creates ? plan.leftOut : [],
    creationRefused: creates ? creationProblems(name, plan.request, rules) : [],
    refused: [],
  };
}

/**
 * Why the target would refuse to create each collection, from the headers alone: no record is
 * read and the target is not asked (a copy checks this before it reads its first page).
 */
export function creationRefusals(session: TargetSession, items: PlanItem[]): Array<Pick<PlannedCollection, 'name' | 'creationRefused'>> {
  const rules = targetRules(session.server.capabilities, session.options.target.cloud);
  return items.map(({ header, name, space }) => ({
    name,
    creationRefused: creationProblems(name, planCollection(header, session.server, { space: space ?? null, cloud: session.options.target.cloud }).request, rules),
  }));
}

/** A collection the target would not create stops everything, whatever --skip-invalid says. */
export function creationRefusedError(plan: { collections: Array<Pick<PlannedCollection, 'name' | 'creationRefused'>> }, target: string): MigrateError | null {
  const refused = plan.collections.filter((entry) => entry.creationRefused.length > 0);
  if (refused.length === 0) return null;
  const words = refused.map((entry) => `${inQuotes(entry.name)}: ${entry.creationRefused.map((problem) => problem.why).join('; ')}`).join('. ');
  return new MigrateError(
    'CANNOT_HOLD',
    `${target} would refuse to create ${words}. Nothing was written: no collection was created.`,
    'Upgrade the target (the deploy guide pins chromadb/chroma:1.5.9), or import the other collections with --collection, then run the same command again.',
  );
}
