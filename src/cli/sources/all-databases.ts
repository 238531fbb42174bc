/**
 * `--all-databases` for copy and verify against the live source: the command runs once per
 * database of the source's tenant, each run with `--database` for the source,
 * `--target-database` for the target (created when missing, or renamed with
 * `--database-map a=b,c=d`). Counts, progress and verify are each run's own, under a heading
 * per database. A copy's backups (one part per database) become one file at the end, as
 * `export --all-databases` writes it. export, import and verify of a file handle every database
 * in the engine (operations/export.ts, import.ts, file-pass.ts).
 */
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { ensureTenant, resolveTenant, tenantNameProblem } from '../../core/chroma/tenant.js';
import { databaseExists, databaseNameProblem, ensureDatabase, listDatabases, refuseSharedTargets } from '../../core/chroma/databases.js';
import { ChromaApi } from '../../core/chroma/api.js';
import { databasePart } from '../../core/backup/database-files.js';
import { mergeDatabaseFiles } from '../../core/backup/jsonl/merge.js';
import { retryExplained } from '../../core/chroma/explain.js';
import { MigrateError } from '../../core/util/errors.js';
import { DEFAULT_TENANT, sourceKeys, type Endpoint } from '../../core/chroma/endpoint.js';
import type { Flags } from '../args.js';
import { EXIT, writeJson, type Command } from '../command.js';
import { targetFrom } from '../connection-flags.js';
import { loadEnv, type Env } from '../../core/chroma/connection.js';
import { isInteractive, type CommandIo } from '../io.js';
import { listOption } from '../args.js';
import { askReplace } from '../ask.js';
import { claimOut, outClaim, outTakenNote, writtenBySameDatabasesExport, type OutClaim } from '../../core/state/replace-out.js';
import { loadState, statePath } from '../../core/state/store.js';
import { collectionNames } from '../../core/operations/export.js';
import { openSource } from './source-path.js';
import { createReporter } from '../reporter.js';
import { inQuotes, shown } from '../../core/util/format.js';

export const ALL_DATABASES_FLAGS = {
  'all-databases': {
    type: 'boolean',
    help: 'every database of the tenant, into one backup file whose collections name their database; the target gets databases of the same names, created when missing',
  },
  'database-map': { type: 'string', arg: 'a=b,c=d', help: 'other names for the source databases on the target' },
} as const satisfies Flags;

type Values = Record<string, string | boolean | undefined>;

export function parseDatabaseMap(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of (text ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const [from, to, extra] = pair.split('=').map((part) => part.trim());
    if (!from || !to || extra !== undefined) throw new MigrateError('USAGE', `--database-map takes source=target pairs separated by commas; got "${pair}".`, 'For example --database-map staging=stage,customer_b=cust_b.');
    map.set(from, to);
  }
  return map;
}

/**
 * The map renames the databases an --all-databases run goes through; a run of one database
 * reads --database and writes --target-database, and would otherwise drop the map unread.
 */
export function refuseMapWithoutAllDatabases(command: string, values: { 'all-databases'?: boolean; 'database-map'?: string }): void {
  if (values['database-map'] === undefined || values['all-databases'] === true) return;
  const pairs = [...parseDatabaseMap(values['database-map'])];
  const instead = pairs.length === 1 ? `--database ${pairs[0]![0]} --target-database ${pairs[0]![1]}` : '--target-database NAME';
  throw new MigrateError(
    'USAGE',
    `--database-map goes with --all-databases: it names where each database of the source goes when ${command} runs through all of them.`,
    `For one database, name the target's with --target-database (${instead}), or add --all-databases.`,
  );
}

/** Drops options (and their values) from an argument list. */
function without(args: string[], names: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = names.find((option) => arg === option || arg.startsWith(`${option}=`));
    if (!name) kept.push(arg);
    else if (arg === name && !BOOLEAN.has(name)) i++;
  }
  return kept;
}
const BOOLEAN = new Set(['--all-databases']);

interface Plan {
  /** The databases to run, source name → target name, with the per-run arguments. */
  runs: Array<{ database: string; target: string; args: string[] }>;
  close: () => Promise<void>;
  source: Endpoint;
  /** What none of the runs reads (a data folder's other tenants), in words: said again at the end. */
  unread: string[];
}

export async function runPerDatabase(command: Command, context: { args: string[]; values: object; io: CommandIo }): Promise<number> {
  const { args, io } = context;
  const values = context.values as Values;
  if (values.database !== undefined) {
    io.stderr.write(`${command.name}: --all-databases and --database name different things; use one.\n`);
    return EXIT.usage;
  }
  const env = loadEnv((values['env-file'] as string | undefined) ?? '.env', io.env);
  const map = parseDatabaseMap(values['database-map'] as string | undefined);
  const plan = await planRuns(command.name, args, values, env, io, map);
  try {
    const { target } = targetFrom(values as Parameters<typeof targetFrom>[0], env);
    if (command.name === 'copy') await refuseTheSourceItself(plan, target, io.signal);
    const tenantProblem = target.tenant === DEFAULT_TENANT ? null : tenantNameProblem(target.tenant);
    if (tenantProblem) throw new MigrateError('BAD_INPUT', `The target cannot create tenant ${tenantProblem}.`, 'Pick another --target-tenant.');
    for (const run of plan.runs) {
      const problem = databaseNameProblem(run.target);
      if (problem) throw new MigrateError('BAD_INPUT', `The target cannot create database ${problem}.`, `Give it another name with --database-map ${inQuotes(`${run.database}=new_name`)}.`);
    }
    const out = values.out as string | undefined;
    if (values['dry-run'] === true) return await dryRunAll(command, plan, target, values, io);
    if (out !== undefined) {
      await claimMergedOut(resolve(out), plan, values, io);
      await mkdir(`${resolve(out)}.databases`, { recursive: true });
    }
    const { code, ran } = await runAll(command, plan, target, values.json === true, io);
    if (ran.length === 0) throw nothingToRun(command);
    if (code !== EXIT.ok || out === undefined) return code;
    // Each database's copy wrote its part: one file for all of them, as export --all-databases writes.
    const parts = ran.map((database) => ({ database, path: databasePart(resolve(out), database) }));
    await mergeDatabaseFiles(parts, resolve(out), { url: plan.source.url, tenant: plan.source.tenant, cloud: plan.source.cloud }, io.signal);
    await rm(`${resolve(out)}.databases`, { recursive: true, force: true });
    io.stderr.write(`Wrote ${out}: ${parts.length} databases in one file.\n`);
    return code;
  } finally {
    await plan.close();
  }
}

function nothingToRun(command: Command): MigrateError {
  return new MigrateError('NOT_FOUND', `No database of the source holds any collection: nothing to ${command.name}.`, 'Check the tenant and the key (or CHROMA_TENANT in .env).');
}

/**
 * --dry-run through every database: each one's plan, and what the real run would do that the
 * plans do not say (a target database it would create, an --out it would stop at), writing
 * nothing. The parts' folder each plan checks its file in is there only while the plans run.
 */
async function dryRunAll(command: Command, plan: Plan, target: Endpoint, values: Values, io: CommandIo): Promise<number> {
  const out = values.out === undefined ? undefined : resolve(values.out as string);
  const claim = out === undefined ? 'new' : await claimMergedOut(out, plan, values, io, true);
  const parts = out === undefined ? null : `${out}.databases`;
  const made = parts !== null && (await mkdir(parts).then(() => true, () => false));
  try {
    // As the real run: a plan that cannot run fails (1) before the --out is claimed; an --out not its own needs an answer (2).
    // Settled before the summary is written, so its `ok` agrees with the exit code.
    const settle = (code: number): number => (code === EXIT.ok && claim === 'taken' ? EXIT.usage : code);
    const { code, ran } = await runAll(command, plan, target, values.json === true, io, true, settle);
    if (ran.length === 0) throw nothingToRun(command);
    if (out !== undefined && claim === 'taken') io.stderr.write(`! ${outTakenNote(out)}\n`);
    if (out !== undefined && claim === 'overwrite') io.stderr.write(`! ${out} exists: the copy would replace it (--overwrite).\n`);
    return code;
  } finally {
    if (made) await rmdir(parts).catch(() => undefined);
  }
}

/**
 * Each database's run, in turn: the worst exit code, and the databases run (those without collections are not).
 * `settle` turns the worst code into the command's own before the summary says whether it went well.
 */
async function runAll(command: Command, plan: Plan, target: Endpoint, json: boolean, io: CommandIo, dryRun = false, settle = (code: number): number => code): Promise<{ code: number; ran: string[] }> {
  let code: number = EXIT.ok;
  const ran: string[] = [];
  const results: Array<{ database: string; target: string; code: number; result: unknown }> = [];
  const writes = command.name !== 'export' && command.name !== 'verify';
  // A --target-tenant the server lacks first: its databases are created in it.
  if (writes && !dryRun && target.tenant !== DEFAULT_TENANT && (await retryExplained(target, () => ensureTenant(target, { signal: io.signal }), { signal: io.signal })) === 'created') {
    io.stderr.write(`Created tenant ${inQuotes(target.tenant)} on the target.\n`);
  }
  for (const run of plan.runs) {
    if (writes) await targetDatabase(target, run.target, io, dryRun);
    io.stderr.write(`\n== database ${run.database}${run.target === run.database ? '' : ` → ${run.target}`}\n`);
    // Alone, a database without collections is refused (most likely the wrong one); among all of them it is simply empty.
    if (await holdsNothing(plan.source, run.database, io.signal)) {
      io.stderr.write(`It holds no collections: nothing to ${command.name === 'copy' ? 'copy' : 'verify'}.\n`);
      if (json) results.push({ database: run.database, target: run.target, code: EXIT.ok, result: null });
      continue;
    }
    ran.push(run.database);
    let captured = '';
    const stdout = json ? collector((text) => (captured += text)) : io.stdout;
    // export has no target; the others write to (or compare with) the target's database.
    const targetArgs = command.name === 'export' ? [] : ['--target-database', run.target];
    const exit = await command.run([...run.args, ...targetArgs], { ...io, stdout });
    if (json) results.push({ database: run.database, target: run.target, code: exit, result: captured.trim() ? JSON.parse(captured) : null });
    code = Math.max(code, exit);
    if (exit === EXIT.interrupted || exit === EXIT.usage) break;
  }
  code = settle(code);
  if (json) writeJson(io, { ok: code === EXIT.ok, databases: results, ...(plan.unread.length > 0 ? { unread: plan.unread } : {}) });
  else io.stderr.write(`\n${code === EXIT.ok ? '✓' : '✗'} ${plan.runs.length} database${plan.runs.length === 1 ? '' : 's'}: ${plan.runs.map((run) => run.database).join(', ')}\n`);
  for (const note of plan.unread) io.stderr.write(`! ${note}\n`);
  return { code, ran };
}

/** The run's database on the target, created when missing; a dry run only says it would be. */
async function targetDatabase(target: Endpoint, name: string, io: CommandIo, dryRun: boolean): Promise<void> {
  const at = { ...target, database: name };
  if (dryRun) {
    const exists = await retryExplained(target, () => databaseExists(at, name, { signal: io.signal }), { signal: io.signal });
    if (!exists) io.stderr.write(`The target has no database ${name}: the copy would create it.\n`);
    return;
  }
  const made = await retryExplained(target, () => ensureDatabase(at, name, { signal: io.signal }), { signal: io.signal });
  if (made === 'created') io.stderr.write(`Created database ${name} on the target.\n`);
}

/**
 * One server as both sides: each database's copy would write into databases the others read
 * (with --database-map a=b,b=a, the first recreates b before the second reads it). A collection's
 * id is its server's own (a database's is not: every default_database has the nil id), so a
 * target database holding a source collection's id is the source server under another address.
 */
async function refuseTheSourceItself(plan: Plan, target: Endpoint, signal?: AbortSignal): Promise<void> {
  const idsIn = async (endpoint: Endpoint, database: string) => {
    const api = new ChromaApi({ ...endpoint, database });
    return (await retryExplained(endpoint, () => api.allCollections({ signal }), { signal })).map((info) => info.id);
  };
  const atSource = new Set<string>();
  for (const run of plan.runs) for (const id of await idsIn(plan.source, run.database)) atSource.add(id);
  let shared = false;
  for (const run of plan.runs) {
    if (!(await retryExplained(target, () => databaseExists(target, run.target, { signal }), { signal }))) continue;
    shared ||= (await idsIn(target, run.target)).some((id) => atSource.has(id));
  }
  if (!shared) return;
  throw new MigrateError(
    'BAD_INPUT',
    `${target.url} is the source server itself (it holds the source's collections, by their ids): copying every database into it would write into the databases being read. Nothing was deleted or written.`,
    'Point --url at the self-hosted server, not at the source.',
  );
}

/**
 * The one file the databases' parts become: one already there is replaced only when it is this
 * command's own earlier file (its parts' checkpoints say so), or by choice (state/replace-out.ts).
 * A real run returns once it may write it ('new' from then on); a dry run gets the claim to tell.
 */
async function claimMergedOut(out: string, plan: Plan, values: Values, io: CommandIo, dryRun = false): Promise<OutClaim> {
  const store = await loadState(statePath(values.state as string | undefined, io.env));
  const wanted = values.all === true ? undefined : listOption(values.collections as string | undefined);
  const namesIn = async (database: string) => (plan.runs.some((run) => run.database === database) ? collectionNames({ ...plan.source, database }, wanted, io.signal) : null);
  const ours = () => writtenBySameDatabasesExport(store.exports, out, sourceKeys(plan.source), namesIn);
  // A dry run asks no one and stops at nothing: it says what the real run would do.
  if (dryRun) return outClaim(out, ours, values.overwrite === true);
  await claimOut(out, ours, {
    overwrite: values.overwrite === true,
    decideReplace: isInteractive(io) ? (path) => askReplace(path, io) : undefined,
  });
  return 'new';
}

async function holdsNothing(source: Endpoint, database: string, signal?: AbortSignal): Promise<boolean> {
  const api = new ChromaApi({ ...source, database });
  return (await retryExplained(source, () => api.allCollections({ signal }), { signal })).length === 0;
}

function collector(write: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      write(chunk.toString());
      done();
    },
  });
}

async function planRuns(name: string, args: string[], values: Values, env: Env, io: CommandIo, map: Map<string, string>): Promise<Plan> {
  const base = without(args, ['--all-databases', '--database-map']);
  const reporter = createReporter(io, { live: false });
  const opened = await openSource(values as Parameters<typeof openSource>[0], env, reporter.listener, name !== 'export');
  try {
    // Resolved without a database: a Cloud key may read several, and all are wanted.
    const source = await resolveTenant({ ...opened.source, database: opened.source.resolveTenant ? '*' : opened.source.database }, io.signal);
    const databases = await retryExplained(source, () => listDatabases(source, { signal: io.signal }), { signal: io.signal });
    const unknown = [...map.keys()].filter((key) => !databases.some((database) => database.name === key));
    if (unknown.length > 0) throw new MigrateError('BAD_INPUT', `--database-map names ${unknown.map(shown).join(', ')}, which the source does not have.`, `It has: ${databases.map((database) => shown(database.name)).join(', ')}.`);
    refuseSharedTargets(databases.map((database) => database.name), map);
    // A data folder is served once for every database's run.
    const sourceArgs = values['source-path'] !== undefined ? ['--source-url', source.url] : [];
    const rest = without(base, ['--out', '-o', '--source-path']);
    const out = values.out as string | undefined;
    const runs = databases.map((database) => ({
      database: database.name,
      target: map.get(database.name) ?? database.name,
      args: [...rest, ...sourceArgs, '--database', database.name, ...(out ? ['--out', databasePart(resolve(out), database.name)] : []), ...(source.cloud ? ['--tenant', source.tenant] : [])],
    }));
    return { runs, close: opened.close, source, unread: opened.unread };
  } catch (error) {
    await opened.close();
    throw error;
  } finally {
    reporter.close();
  }
}
