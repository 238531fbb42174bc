/**
 * `--all-databases` for copy and verify against the live source: the command runs once per
 * database of the source's tenant, each run with `--database` for the source,
 * `--target-database` for the target (created when missing, or renamed with
 * `--database-map a=b,c=d`). Counts, progress and verify are each run's own, under a heading
 * per database. A copy's backups (one part per database) become one file at the end, as
 * `export --all-databases` writes it. export, import and verify of a file handle every database
 * in the engine (operations/export.ts, import.ts, file-pass.ts).
 */
import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { resolveTenant } from '../../core/chroma/tenant.js';
import { databaseExists, databaseNameProblem, ensureDatabase, listDatabases } from '../../core/chroma/databases.js';
import { ChromaApi } from '../../core/chroma/api.js';
import { databasePart } from '../../core/backup/database-files.js';
import { mergeDatabaseFiles } from '../../core/backup/jsonl/merge.js';
import { retryExplained } from '../../core/chroma/explain.js';
import { MigrateError } from '../../core/util/errors.js';
import type { Endpoint } from '../../core/chroma/endpoint.js';
import type { Flags } from '../args.js';
import { EXIT, writeJson, type Command } from '../command.js';
import { targetFrom } from '../connection-flags.js';
import { loadEnv, type Env } from '../../core/chroma/connection.js';
import type { CommandIo } from '../io.js';
import { openSource } from './source-path.js';
import { createReporter } from '../reporter.js';

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
    for (const run of plan.runs) {
      const problem = databaseNameProblem(run.target);
      if (problem) throw new MigrateError('BAD_INPUT', `The target cannot create database ${problem}.`, `Give it another name with --database-map "${run.database}=new_name".`);
    }
    const { code, ran } = await runAll(command, plan, target, values.json === true, io);
    if (ran.length === 0) throw new MigrateError('NOT_FOUND', `No database of the source holds any collection: nothing to ${command.name}.`, 'Check the tenant and the key (or CHROMA_TENANT in .env).');
    const out = values.out as string | undefined;
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

/** Each database's run, in turn: the worst exit code, and the databases run (those without collections are not). */
async function runAll(command: Command, plan: Plan, target: Endpoint, json: boolean, io: CommandIo): Promise<{ code: number; ran: string[] }> {
  let code: number = EXIT.ok;
  const ran: string[] = [];
  const results: Array<{ database: string; target: string; code: number; result: unknown }> = [];
  for (const run of plan.runs) {
    if (command.name !== 'export' && command.name !== 'verify') {
      const made = await retryExplained(target, () => ensureDatabase({ ...target, database: run.target }, run.target, { signal: io.signal }), { signal: io.signal });
      if (made === 'created') io.stderr.write(`Created database ${run.target} on the target.\n`);
    }
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
  if (json) writeJson(io, { ok: code === EXIT.ok, databases: results });
  else io.stderr.write(`\n${code === EXIT.ok ? '✓' : '✗'} ${plan.runs.length} database${plan.runs.length === 1 ? '' : 's'}: ${plan.runs.map((run) => run.database).join(', ')}\n`);
  return { code, ran };
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
  const opened = await openSource(values as Parameters<typeof openSource>[0], env, reporter.listener);
  try {
    // Resolved without a database: a Cloud key may read several, and all are wanted.
    const source = await resolveTenant({ ...opened.source, database: opened.source.resolveTenant ? '*' : opened.source.database }, io.signal);
    const databases = await retryExplained(source, () => listDatabases(source, { signal: io.signal }), { signal: io.signal });
    const unknown = [...map.keys()].filter((key) => !databases.some((database) => database.name === key));
    if (unknown.length > 0) throw new MigrateError('BAD_INPUT', `--database-map names ${unknown.join(', ')}, which the source does not have.`, `It has: ${databases.map((database) => database.name).join(', ')}.`);
    // A data folder is served once for every database's run.
    const sourceArgs = values['source-path'] !== undefined ? ['--source-url', source.url] : [];
    const rest = without(base, ['--out', '-o', '--source-path']);
    const out = values.out as string | undefined;
    if (out) await mkdir(`${resolve(out)}.databases`, { recursive: true });
    const runs = databases.map((database) => ({
      database: database.name,
      target: map.get(database.name) ?? database.name,
      args: [...rest, ...sourceArgs, '--database', database.name, ...(out ? ['--out', databasePart(resolve(out), database.name)] : []), ...(source.cloud ? ['--tenant', source.tenant] : [])],
    }));
    return { runs, close: opened.close, source };
  } catch (error) {
    await opened.close();
    throw error;
  } finally {
    reporter.close();
  }
}
