import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ChromaApi } from '../chroma/api.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Endpoint } from '../chroma/endpoint.js';
import { explainRequestError } from '../chroma/explain.js';
import { MigrateError } from '../util/errors.js';
import { inQuotes } from '../util/format.js';
import { childEnv } from './child-env.js';
import { countCollections, describeChanges, pairCounts, type CollectionCount } from './counts.js';
import { LineTail } from './lines.js';
import { maskCommand } from './mask-command.js';
import { runShellCommand, type OutputStream } from './run-command.js';
import { ignoreProgress, type ProgressListener } from '../util/progress.js';
import { withRetry } from '../util/retry.js';
import { StateStore } from '../state/store.js';

export { describeChanges, describeCount } from './counts.js';

export interface IngestOptions {
  /** The user's own ingestion command, run through the shell, e.g. "python3 scripts/ingest_audits.py --local-dir sample_audits/". */
  command: string;
  /** The self-hosted server the command should write to. */
  target: Endpoint;
  /** The environment the command starts from (the process's); the target's CHROMA_* go on top, the Cloud keys come off. */
  env: Record<string, string | undefined>;
  /**
   * Where secrets the command line may hold by value are found (.env over the process's; default
   * `env`): masked in everything saved or printed, with any NAME=value, --flag value or URL
   * password that names a key, token, secret or password.
   */
  secretsFrom?: Record<string, string | undefined>;
  cwd?: string;
  /** Count only these collections; every collection on the target when empty. */
  collections?: string[];
  /** Where the migration state lives: the command is remembered there for a resume. */
  statePath?: string;
  /**
   * Every line of the command's output also goes here (0600, its folder made): a screen shows
   * only a window of the output, and the rest must stay findable.
   */
  logFile?: string;
  /** Aborting forwards Ctrl-C (SIGINT) to the command and waits for it to stop. */
  signal?: AbortSignal;
  /** Every line the command prints, as it prints it. */
  onOutput?: (line: string, stream: OutputStream) => void;
  onProgress?: ProgressListener;
  /** After Ctrl-C: how long the command may take to stop before it is terminated. */
  graceMs?: number;
}

export interface IngestResult {
  /** The command as it may be shown: its secrets masked ("OPENAI_API_KEY=… ./ingest"). */
  command: string;
  /** What was masked ("OPENAI_API_KEY", "--api-key"); the command that ran had them. */
  withheld: string[];
  /** The command's exit code (128 + n when signal n ended it, as shells report). */
  exitCode: number;
  signal: NodeJS.Signals | null;
  /** Ctrl-C was forwarded to the command. */
  interrupted: boolean;
  /** Exit code 0 and not interrupted. */
  ok: boolean;
  counts: CollectionCount[];
  /** False when the target could not be counted after the command; `after` is then unknown. */
  countedAfter: boolean;
  /** The command's last lines of output. */
  tail: string[];
  /** How many lines it printed in all. */
  lines: number;
  /** The file holding all of them, when one was asked for. */
  logFile?: string;
  durationMs: number;
}

/**
 * Step 7: runs the user's ingestion command against the new server and says what it added.
 * Counts before and after; a command that fails still gets its counts reported, since whatever
 * it wrote before failing is on the server.
 */
export async function runIngest(options: IngestOptions): Promise<IngestResult> {
  const progress = options.onProgress ?? ignoreProgress;
  const { command, target, signal } = options;
  if (command.trim() === '') throw new MigrateError('BAD_INPUT', 'The ingestion command is empty.', 'Pass the command that loads your data, e.g. --command "python3 scripts/ingest_audits.py".');
  if (target.token && command.includes(target.token)) {
    // It would show in `ps` and be saved in the state file; the command gets it from its environment anyway.
    throw new MigrateError('BAD_INPUT', 'The ingestion command contains the server\'s token.', 'Remove it: the command already gets CHROMA_AUTH_TOKEN in its environment, and a token on a command line is visible to every user of the machine.');
  }
  const masked = maskCommand(command, options.secretsFrom ?? options.env);
  const api = new ChromaApi(target);
  const count = (names: string[] | undefined, countSignal?: AbortSignal) =>
    withRetry(() => countCollections(api, names, countSignal), { signal: countSignal }).catch((error: unknown) => {
      if (countSignal?.aborted) throw new MigrateError('INTERRUPTED', 'Interrupted before the ingestion command started.', 'Nothing ran; run the same command again.');
      throw explainRequestError(error, target);
    });

  progress({ type: 'phase', message: `Counting records on ${target.url}${inPlace(target)}` });
  const before = await count(options.collections, signal);

  const store = options.statePath ? await StateStore.open(options.statePath) : null;
  const startedAt = new Date();
  await store?.update((state) => ({
    ...state,
    ingestCommand: masked.shown,
    ingestWithheld: masked.withheld.length > 0 ? masked.withheld : undefined,
    steps: { ...state.steps, ingest: { status: 'active', at: startedAt.toISOString(), detail: masked.shown, pid: process.pid } },
  }));

  progress({ type: 'phase', message: `Running: ${masked.shown}` });
  const tail = new LineTail(10);
  let lines = 0;
  const log = options.logFile ? await openLog(options.logFile, masked.shown, startedAt) : null;
  const exit = await runShellCommand({
    command,
    env: childEnv(options.env, target),
    cwd: options.cwd ?? process.cwd(),
    signal,
    graceMs: options.graceMs,
    onOutput: (line, stream) => {
      lines++;
      tail.add(line);
      log?.write(`${line}\n`);
      options.onOutput?.(line, stream);
    },
  }).catch(async (error: unknown) => {
    await closeLog(log, null);
    throw new MigrateError('IO', `Could not start the ingestion command: ${(error as Error).message}.`, 'Check that /bin/sh exists and the current folder is readable.');
  });
  await closeLog(log, exit);

  // Not under the (possibly aborted) signal: the command has stopped, and what it wrote is worth knowing.
  progress({ type: 'phase', message: `Counting records on ${target.url}${inPlace(target)}` });
  let after: Map<string, number> | null = null;
  try {
    after = await withRetry(() => countCollections(api, options.collections), { retries: 2 });
  } catch (error) {
    const explained = explainRequestError(error, target);
    progress({ type: 'warning', message: `Could not count the records after the command: ${(explained as Error).message}` });
  }
  const counts = pairCounts(options.collections, before, after);
  const ok = exit.exitCode === 0 && !exit.interrupted;

  await store?.update((state) => ({
    ...state,
    steps: {
      ...state.steps,
      ingest: { status: ok ? 'done' : 'failed', at: new Date().toISOString(), detail: stepDetail(exit, counts, after !== null) },
    },
  }));
  return {
    command: masked.shown,
    withheld: masked.withheld,
    exitCode: exit.exitCode,
    signal: exit.signal,
    interrupted: exit.interrupted,
    ok,
    counts,
    countedAfter: after !== null,
    tail: tail.current,
    lines,
    logFile: options.logFile,
    durationMs: Date.now() - startedAt.getTime(),
  };
}

function stepDetail(exit: { exitCode: number; interrupted: boolean }, counts: CollectionCount[], countedAfter: boolean): string {
  const how = exit.interrupted ? 'interrupted' : exit.exitCode === 0 ? 'exit 0' : `failed with exit ${exit.exitCode}`;
  return `${how}; ${describeChanges(counts, countedAfter) ?? 'no records added'}`;
}

async function openLog(path: string, command: string, at: Date): Promise<WriteStream> {
  await mkdir(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { mode: 0o600 });
  stream.write(`# ${at.toISOString()} $ ${command}\n`);
  return stream;
}

async function closeLog(log: WriteStream | null, exit: { exitCode: number; interrupted: boolean } | null): Promise<void> {
  if (!log) return;
  if (exit) log.write(`# ${exit.interrupted ? 'interrupted, ' : ''}exit code ${exit.exitCode}\n`);
  await new Promise<void>((resolve) => log.end(resolve));
}

/** The verdict line both faces print: "✓ The command finished (exit code 0)." */
export function describeOutcome(result: Pick<IngestResult, 'interrupted' | 'ok' | 'exitCode' | 'signal'>): string {
  if (result.interrupted) return `✗ Interrupted: the command stopped with exit code ${result.exitCode}. What it wrote so far is on the server:`;
  if (result.ok) return '✓ The command finished (exit code 0).';
  return `✗ The command failed with exit code ${result.exitCode}${result.signal ? ` (${result.signal})` : ''}.${result.exitCode === 127 ? ' The shell could not find it: check the spelling, and run from the folder the command expects.' : ''} Records it wrote before failing are on the server:`;
}

/** ' in tenant "acme", database "prod_docs"': the parts that are not the default, as the script is told them. */
function inPlace(target: Endpoint): string {
  const parts = [target.tenant === DEFAULT_TENANT ? '' : `tenant ${inQuotes(target.tenant)}`, target.database === DEFAULT_DATABASE ? '' : `database ${inQuotes(target.database)}`].filter(Boolean);
  return parts.length > 0 ? ` in ${parts.join(', ')}` : '';
}
