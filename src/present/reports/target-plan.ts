/** The plan of an import or a copy in words (--dry-run) and as JSON: the same facts for both faces. */
import { describeEmbeddingFunction } from '../../core/collection/shape.js';
import type { PlannedCollection, TargetPlan } from '../../core/sinks/target/plan.js';
import { describeProblems } from '../../core/sinks/target/refusals.js';
import { inQuotes, shown } from '../../core/util/format.js';
import { leftOutLines } from './collection-report.js';

const ACTIONS: Record<PlannedCollection['action'], string> = {
  create: 'create it',
  recreate: 'delete it and create it again (--if-exists recreate)',
  append: 'upsert into it',
  ask: 'ask what to do (it holds records)',
  stop: 'stop: it holds records (--if-exists abort)',
  source: '✗ refused: it is the very collection the copy reads (the same id); point --url at another server, or pick another name with --as',
};

function hnswWords(hnsw: Record<string, unknown>): string {
  const entries = Object.entries(hnsw).filter(([key]) => key !== 'space');
  return entries.length === 0 ? 'the server\'s defaults' : entries.map(([key, value]) => `${key} ${String(value)}`).join(', ');
}

/** A backup of several databases: each database, then its collections, each named with the target database it was checked in. */
function planLines(plan: TargetPlan, number: (n: number) => string): string[] {
  if (!plan.databases) return collectionLines(plan.collections, number);
  return plan.databases.flatMap((database) => [
    `Database ${shown(database.name)}${database.name === database.source ? '' : ` (from ${shown(database.source)})`}: ${database.exists ? 'exists on the target' : 'absent on the target → create it'}`,
    ...collectionLines(plan.collections.filter((entry) => entry.database === database.name), number),
  ]);
}

function collectionLines(collections: PlannedCollection[], number: (n: number) => string): string[] {
  const lines: string[] = [];
  for (const entry of collections) {
    const renamed = entry.name === entry.source ? '' : ` (from ${inQuotes(entry.source)})`;
    lines.push(`${inQuotes(entry.name)}${renamed}${entry.database === undefined ? '' : ` in database ${shown(entry.database)}`}: ${number(entry.records)} records`);
    const there = entry.existing ? `exists with ${number(entry.existing.count)} records${entry.existing.space ? `, space ${entry.existing.space}` : ''}` : 'absent';
    lines.push(`    target         ${there} → ${ACTIONS[entry.action]}`);
    if (entry.create) {
      lines.push(`    creates        space ${entry.create.space ?? 'not recorded: asked, or --space'}; embedding function ${describeEmbeddingFunction(entry.create.embeddingFunction)}`);
      lines.push(`                   HNSW ${hnswWords(entry.create.hnsw)}; sent as ${entry.create.carries === 'nothing' ? 'the server\'s defaults' : `a ${entry.create.carries}`}`);
    }
    lines.push(...leftOutLines(entry.leftOut));
    for (const problem of entry.creationRefused) lines.push(`    ✗ refused      creating it: ${problem.why}`);
    if (entry.refused.length === 0) lines.push('    records        every record fits the target\'s rules');
    else {
      lines.push(`    ✗ refused      ${number(entry.refused.length)} record(s) the target would refuse (--skip-invalid leaves them out):`);
      for (const refused of entry.refused.slice(0, 10)) lines.push(`      - ${describeProblems(refused.id, refused.problems)}`);
      if (entry.refused.length > 10) lines.push(`      … and ${number(entry.refused.length - 10)} more`);
    }
  }
  return lines;
}

/** The plan for --json: every refusal with its id and reasons, without the record's values. */
function planJson(plan: TargetPlan): unknown {
  return {
    ...(plan.databases ? { databases: plan.databases } : {}),
    collections: plan.collections.map((entry) => ({
      ...entry,
      refused: entry.refused.map(({ id, problems }) => ({ id, problems })),
    })),
  };
}

/** True when the plan can run as it is (what --dry-run's exit code says). */
function planRuns(plan: TargetPlan, skipInvalid: boolean): boolean {
  return plan.collections.every((entry) => entry.creationRefused.length === 0 && entry.action !== 'stop' && entry.action !== 'source' && (skipInvalid || entry.refused.length === 0));
}

/** The plan of a dry run, in words or as JSON; true when it can run as it is (the exit code). */
export function printPlan(
  /** `out`: a copy's backup file, and what the real run would do with it (`taken`: stop there). */
  result: { batchSize: number; plan: TargetPlan; notes: string[]; out?: { path: string; claim: string } },
  skipInvalid: boolean,
  out: { json: boolean; say: (text: string) => void; writeJson: (value: unknown) => void; number: (n: number) => string },
): boolean {
  const runs = planRuns(result.plan, skipInvalid);
  const ok = runs && result.out?.claim !== 'taken';
  if (out.json) out.writeJson({ ok, dryRun: true, batchSize: result.batchSize, notes: result.notes, ...(result.out ? { out: result.out } : {}), ...(planJson(result.plan) as object) });
  else {
    out.say(`Plan (--dry-run: nothing was written), batches of ${out.number(result.batchSize)}:`);
    for (const line of [...result.notes.map((note) => `! ${note}`), ...planLines(result.plan, out.number)]) out.say(line);
  }
  return runs;
}
