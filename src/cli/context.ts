import { loadEnv, type Env, type ResolvedTarget } from '../core/chroma/connection.js';
import { describeEndpoint, type Endpoint } from '../core/chroma/endpoint.js';
import { parseChromaUrl } from '../core/chroma/url.js';
import { statePath } from '../core/state/store.js';
import type { Flags, FlagValues } from './args.js';
import { writeJson } from './command.js';
import { targetFrom, type SourceValues, type TargetValues } from './connection-flags.js';
import { isInteractive, type CommandIo } from './io.js';
import { openSource, sharedTenantNote } from './sources/source-path.js';
import { describeOtherDatabases } from './sources/other-databases.js';
import { otherDatabases } from '../core/chroma/databases.js';
import { createReporter, type Reporter } from './reporter.js';

/** What a command's own work gets from the runner. */
export interface CommandContext<F extends Flags> {
  /** The first word, for a command that takes one (`env set`, `embeddings check`). */
  subcommand: string | undefined;
  values: FlagValues<F>;
  /** The arguments as given (after the subcommand), for a command that runs itself again (--all-databases). */
  args: string[];
  io: CommandIo;
  /** --json: the result goes to stdout as JSON. */
  json: boolean;
  /** A person at a terminal, who can be asked. */
  interactive: boolean;
  /** The migration state's file (--state, CHROMA_MIGRATE_STATE, or the default). */
  statePath: string;
  /** The process environment over the .env file's (--dotenv, default ./.env). */
  env(): Env;
  /** The target from the flags, the environment and .env. */
  target(): ResolvedTarget;
  /** The target, its notes shown as warnings and its address as a phase line ("Target: …"). */
  announceTarget(): Endpoint;
  /**
   * The source (a server, Chroma Cloud, or a data folder served for the run, stopped by the
   * runner), announced. `use`: what the run does with the target, if it has one. `whole`: the
   * run reads every collection of its database (and `allDatabases`: the command takes
   * --all-databases), so the tenant's other databases that hold collections are named, unless
   * --database chose the one.
   */
  openSource(use?: 'writes' | 'reads', whole?: { allDatabases: boolean }): Promise<Endpoint>;
  /** What the run leaves unread of the source, in words, said as warnings: the summary says them again. */
  unread(): string[];
  /** Work the runner does when the command ends, however it ends. */
  onClose(work: () => Promise<void>): void;
  close(): Promise<void>;
  /** Progress on stderr, created on first use (live in a terminal unless --json); closed by the runner. */
  reporter(options?: { live: boolean }): Reporter;
  /** A line of conversation on stderr. */
  say(text: string): void;
  writeJson(value: unknown): void;
}

export function createContext<F extends Flags>(values: FlagValues<F>, io: CommandIo, subcommand?: string, args: string[] = []): CommandContext<F> {
  const json = (values as { json?: boolean }).json === true;
  let env: Env | undefined;
  let target: ResolvedTarget | undefined;
  let reporter: Reporter | undefined;
  const closers: Array<() => Promise<void>> = [];
  const unread: string[] = [];
  const context: CommandContext<F> = {
    subcommand,
    values,
    args,
    io,
    json,
    interactive: isInteractive(io),
    statePath: statePath(values.state, io.env),
    env: () => (env ??= loadEnv(values['env-file'] ?? '.env', io.env)),
    target: () => (target ??= targetFrom(values as TargetValues, context.env())),
    announceTarget() {
      const resolved = context.target();
      for (const note of resolved.notes) context.reporter().listener({ type: 'warning', message: note });
      context.reporter().listener({ type: 'phase', message: `Target: ${describeEndpoint(resolved.target)}` });
      return resolved.target;
    },
    async openSource(use, whole) {
      // Said before the source is asked anything: a dropped path explains the 404 that may follow.
      const sourceUrl = (values as SourceValues)['source-url'];
      if (sourceUrl) for (const note of parseChromaUrl(sourceUrl).notes) context.reporter().listener({ type: 'warning', message: `--source-url: ${note}` });
      const opened = await openSource(values as SourceValues & { 'source-path'?: string }, context.env(), context.reporter().listener, use !== undefined);
      closers.push(opened.close);
      unread.push(...opened.unread);
      const folder = (values as { 'source-path'?: string })['source-path'];
      context.reporter().listener({ type: 'phase', message: `Source: ${folder ?? describeEndpoint(opened.source)}` });
      const shared = use === 'writes' ? sharedTenantNote(opened.source, (values as TargetValues)['target-tenant'] !== undefined) : null;
      if (shared) context.reporter().listener({ type: 'warning', message: shared });
      if (whole && (values as SourceValues).database === undefined) {
        const others = await otherDatabases(opened.source, io.signal);
        if (others && others.databases.length > 0) {
          const note = describeOtherDatabases(others.tenant, others.databases, { allDatabases: whole.allDatabases, toTarget: use !== undefined });
          unread.push(note);
          context.reporter().listener({ type: 'warning', message: note });
        }
      }
      return opened.source;
    },
    unread: () => [...unread],
    onClose: (work) => closers.push(work),
    async close() {
      reporter?.close();
      for (const work of closers.splice(0)) await work();
    },
    reporter: (options) => (reporter ??= createReporter(io, options ?? { live: io.stderr.isTTY === true && !json })),
    say: (text) => io.stderr.write(`${text}\n`),
    writeJson: (value) => writeJson(io, value),
  };
  return context;
}
