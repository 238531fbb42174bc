import { dirname } from 'node:path';
import type { MigrationState, RunRecord } from './schema.js';
import { StateStore } from './store.js';

/** Enough to find the last few commands; older runs have long been resumed or replaced. */
const KEPT_RUNS = 20;

export type RunStart = Omit<RunRecord, 'id' | 'startedAt' | 'outcome' | 'endedAt'>;

/**
 * Notes that a command has started, and returns its id. The same command line typed again in
 * the same folder replaces its earlier run: one entry per thing the user is doing.
 */
export async function recordRunStart(path: string, run: RunStart, now = new Date()): Promise<string> {
  const id = `${now.toISOString()}-${process.pid}`;
  const same = (other: RunRecord) => other.command === run.command && other.cwd === run.cwd && other.args.join('\0') === run.args.join('\0');
  const store = await StateStore.open(path);
  await store.update((state) => ({
    ...state,
    runs: [...state.runs.filter((other) => !same(other)), { ...run, id, startedAt: now.toISOString(), outcome: 'running' as const }].slice(-KEPT_RUNS),
  }));
  return id;
}

export async function recordRunEnd(path: string, id: string, outcome: 'done' | 'interrupted' | 'failed', now = new Date()): Promise<void> {
  const store = await StateStore.open(path);
  await store.update((state) => ({ ...state, runs: state.runs.map((run) => (run.id === id ? { ...run, outcome, endedAt: now.toISOString() } : run)) }));
}

type Checkpoint = MigrationState['imports'][number] | MigrationState['exports'][number];

/** A run that did not finish, and the unfinished checkpoints it left (what a re-run continues from). */
export interface ResumableRun {
  run: RunRecord;
  imports: MigrationState['imports'];
  exports: MigrationState['exports'];
}

/**
 * Whether a checkpoint's file is one the run names: the file itself, or a database's part of it
 * (`--all-databases` keeps one checkpoint per database in FILE.databases/, backup/database-files.ts).
 */
function runUses(run: RunRecord, path: string): boolean {
  return run.files.some((file) => path === file || dirname(path) === `${file}.databases`);
}

/**
 * Pairs each unfinished checkpoint with the newest unfinished run that used its file, so that
 * `status` prints the command that continues it. Checkpoints no run names (a state from before
 * runs were kept, or the wizard's) come back on their own. A run interrupted before it wrote
 * anything comes back with no checkpoint, unless a newer run of its files or a checkpoint
 * written since it started says it was taken over.
 */
export function resumableRuns(state: MigrationState): { runs: ResumableRun[]; imports: MigrationState['imports']; exports: MigrationState['exports'] } {
  const claimed = new Set<Checkpoint>();
  const runs: ResumableRun[] = [];
  const newer: RunRecord[] = [];
  for (const run of [...state.runs].reverse()) {
    const superseded = newer.some((other) => other.files.some((file) => run.files.includes(file)));
    newer.push(run);
    if (run.outcome === 'done') continue;
    const mine = <C extends Checkpoint>(entries: C[], file: (entry: C) => string) =>
      entries.filter((entry) => !entry.done && !claimed.has(entry) && runUses(run, file(entry)));
    const imports = mine(state.imports, (entry) => entry.backup);
    const exports = mine(state.exports, (entry) => entry.out);
    if (imports.length + exports.length === 0) {
      if (run.outcome === 'interrupted' && !superseded && !wroteSince(state, run)) runs.push({ run, imports, exports });
      continue;
    }
    for (const entry of [...imports, ...exports]) claimed.add(entry);
    runs.push({ run, imports, exports });
  }
  return {
    runs,
    imports: state.imports.filter((entry) => !entry.done && !claimed.has(entry)),
    exports: state.exports.filter((entry) => !entry.done && !claimed.has(entry)),
  };
}

/** A checkpoint of the run's files saved after it started (finished ones too): it wrote something. */
function wroteSince(state: MigrationState, run: RunRecord): boolean {
  const since = (entry: Checkpoint, path: string) => runUses(run, path) && entry.updatedAt >= run.startedAt;
  return state.imports.some((entry) => since(entry, entry.backup)) || state.exports.some((entry) => since(entry, entry.out));
}
