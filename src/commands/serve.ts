import { loadEnv } from '../core/chroma/connection.js';
import { MigrateError } from '../core/util/errors.js';
import { DEFAULT_LOCAL_PORT, localPortInEnv, nextFreePort } from '../core/local-server/local-port.js';
import { portIsTaken, refuseServedFolder, startChromaServer } from '../core/local-server/chroma-server.js';
import { pidFileOf, stopServerAt } from '../core/local-server/pid-file.js';
import { recordStepDone } from '../core/state/record-step.js';
import { statePath } from '../core/state/store.js';
import { intOption, parseCommandArgs } from '../cli/args.js';
import { EXIT, type Command } from '../cli/command.js';
import { isInteractive, loadPrompts, type CommandIo } from '../cli/io.js';

const OPTIONS = {
  path: { type: 'string' },
  port: { type: 'string' },
  stop: { type: 'boolean' },
} as const;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run a local Chroma server (the one in the chromadb package) until Ctrl-C',
  help: `Usage: chroma-migrate serve [--path DIR] [--port N]
       chroma-migrate serve --stop [--path DIR]

Starts the Chroma 1.x server that ships in the chromadb npm package, persisting to DIR
(default ./chroma-data), on localhost port N (default: the port your .env points at when
CHROMA_HOST is this machine, else 8000). It is the default target of import and verify.
When the port is taken it says so and offers the next free one. On systems older than
glibc 2.39 (Debian 12, Ubuntu 22.04) it fetches Debian's newer C libraries into
~/.cache/chroma-migrate once, without touching the system.
Stop it with Ctrl-C. Its log is DIR/chroma-server.log. Marks step 2 (deploy) done.

--stop stops the server that serves DIR, found by DIR/chroma-server.pid (--port is not
needed): one the wizard left running (it offers to keep it), or a serve in another terminal.`,

  async run(args, io) {
    const { values } = parseCommandArgs('serve', args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return EXIT.ok;
    }
    const path = values.path ?? './chroma-data';
    if (values.stop) return stopServer(path, io);
    // Before the port: a folder already served is the answer, not another port.
    await refuseServedFolder(path);
    const envPort = localPortInEnv(loadEnv(values['env-file'] ?? '.env', io.env));
    let port = intOption('port', values.port, { max: 65_535 }) ?? envPort ?? DEFAULT_LOCAL_PORT;
    if (await portIsTaken(port)) port = await otherPort(port, envPort, io);
    io.stderr.write(`Starting Chroma on port ${port} (data in ${path})…\n`);
    // In a session of its own, so Ctrl-C at the terminal, a closed terminal or `timeout` reach
    // only this process, which stops Chroma the way it needs (SIGINT, then SIGKILL).
    const server = await startChromaServer({ path, port, detached: true });
    const state = statePath(values.state, io.env);
    await recordStepDone(state, 'deploy', `local server ${server.url}`, () => ({ localServer: { path: server.path, port: server.port } })).catch((error: unknown) =>
      io.stderr.write(`! Could not record step 2 in ${state}: ${(error as Error).message}\n`),
    );
    io.stderr.write(`✓ Chroma is listening on ${server.url} — data in ${server.path}\n  Log: ${server.logFile}\n  Press Ctrl-C to stop.\n`);
    if (envPort !== null && envPort !== server.port) {
      io.stderr.write(`! Your .env points at port ${envPort}, not ${server.port}. To use this server: chroma-migrate env set --url ${server.url}\n`);
    }
    // A signal that came while Chroma was starting counts too.
    const stopped = new Promise<'signal'>((resolve) => (io.signal.aborted ? resolve('signal') : io.signal.addEventListener('abort', () => resolve('signal'), { once: true })));
    const outcome = await Promise.race([stopped, server.exited]);
    if (outcome === 'signal') {
      await server.stop();
      io.stderr.write('Chroma stopped.\n');
      return EXIT.ok;
    }
    io.stderr.write(`✗ The Chroma server exited by itself (code ${outcome}). See ${server.logFile}.\n`);
    return EXIT.failed;
  },
};

/** The port is taken: say so, offer the next free one (asked at a terminal, named otherwise). */
async function otherPort(taken: number, envPort: number | null, io: Parameters<Command['run']>[1]): Promise<number> {
  const next = await nextFreePort(taken);
  const already = await chromaAnswers(taken);
  const what = already
    ? `A Chroma server already answers on port ${taken} (http://localhost:${taken})`
    : `Port ${taken} is in use by another program`;
  const envNote = envPort === taken ? ` Your .env points at port ${taken}: with another port, update it too (chroma-migrate env set --url http://localhost:${next}).` : '';
  if (!isInteractive(io)) {
    throw new MigrateError('SERVER_START', `${what}.`, `${already ? 'Use that one, or start' : 'Start'} another on the next free port: chroma-migrate serve --port ${next}.${envNote}`);
  }
  io.stderr.write(`! ${what}.${envNote}\n`);
  const { confirm } = await loadPrompts();
  const yes = await confirm({ message: `Start on port ${next} instead?`, default: !already }, { output: io.stderr, signal: io.signal });
  if (!yes) throw new MigrateError('SERVER_START', `${what}; nothing started.`, `Stop what runs there, or choose a port with --port.`);
  return next;
}

async function chromaAnswers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/v2/heartbeat`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as Record<string, unknown>;
    return typeof body['nanosecond heartbeat'] === 'number';
  } catch {
    return false;
  }
}

async function stopServer(path: string, io: CommandIo): Promise<number> {
  const outcome = await stopServerAt(path);
  const file = pidFileOf(path);
  switch (outcome.kind) {
    case 'stopped':
      io.stderr.write(`✓ Stopped the Chroma server for ${path} (process ${outcome.pid}).\n`);
      return EXIT.ok;
    case 'none':
      io.stderr.write(`Nothing to stop: no Chroma server started by chroma-migrate serves ${path} (there is no ${file}).\n`);
      return EXIT.ok;
    case 'stale':
      io.stderr.write(`Nothing to stop: process ${outcome.pid}, named in ${file}, is no longer the Chroma server for ${path} (the file is removed).\n`);
      return EXIT.ok;
    case 'unchecked':
      io.stderr.write(`✗ Could not tell whether process ${outcome.pid} (named in ${file}) is the Chroma server for ${path}, so it was left alone.\n  If it is: kill -INT ${outcome.pid}\n`);
      return EXIT.failed;
    case 'not-yours':
      io.stderr.write(`✗ The Chroma server for ${path} (process ${outcome.pid}) runs as another user; stop it as that user: kill -INT ${outcome.pid}\n`);
      return EXIT.failed;
  }
}
