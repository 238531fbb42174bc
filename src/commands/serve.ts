import { MigrateError } from '../core/util/errors.js';
import { DEFAULT_LOCAL_PORT, localPortInEnv, nextFreePort, portProblem, type PortProblem } from '../core/local-server/local-port.js';
import { refuseServedFolder, startChromaServer } from '../core/local-server/chroma-server.js';
import { describePortProblem } from '../present/port-problem.js';
import { stopServerAt } from '../core/local-server/pid-file.js';
import { recordStepDone } from '../core/state/record-step.js';
import { describeStop } from '../present/server-stop.js';
import { intOption } from '../cli/args.js';
import { EXIT } from '../cli/command.js';
import { defineCommand } from '../cli/define-command.js';
import { isInteractive, loadPrompts, type CommandIo } from '../cli/io.js';

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'Run a local Chroma server (the one in the chromadb package) until Ctrl-C',
  usage: ['[--path DIR] [--port N]', '--stop [--path DIR]'],
  description: `Starts the Chroma 1.x server that ships in the chromadb npm package, persisting to DIR (default
./chroma-data), on localhost port N (default: the port your .env points at when CHROMA_HOST is this
machine, else 8000). It is the default target of import and verify. When the port is taken it says
so and offers the next free one. On systems older than glibc 2.39 (Debian 12, Ubuntu 22.04) it
fetches Debian's newer C libraries into ~/.cache/chroma-migrate once, without touching the system.
Stop it with Ctrl-C. Its log is DIR/chroma-server.log. Marks step 2 (deploy) done.`,
  flags: {
    path: { type: 'string', arg: 'DIR', help: 'where the data lives (default ./chroma-data)' },
    port: { type: 'string', arg: 'N', help: 'the port (default: the one in .env when it is this machine, else 8000)' },
    stop: {
      type: 'boolean',
      help: 'stop the server that serves DIR, found by DIR/chroma-server.pid: one the wizard left running, or a serve in another terminal',
    },
  },
  examples: [
    { what: 'a server on localhost:8000, data in ./chroma-data', run: 'chroma-migrate serve' },
    { what: 'stop the one the wizard left running', run: 'chroma-migrate serve --stop' },
  ],

  async run({ values, io, env, statePath, say }) {
    const path = values.path ?? './chroma-data';
    if (values.stop) {
      const { ok, text } = describeStop(await stopServerAt(path), path);
      say(text);
      return ok ? EXIT.ok : EXIT.failed;
    }
    // Before the port: a folder already served is the answer, not another port.
    await refuseServedFolder(path);
    const envPort = localPortInEnv(env());
    let port = intOption('port', values.port, { max: 65_535 }) ?? envPort ?? DEFAULT_LOCAL_PORT;
    const problem = await portProblem(port);
    if (problem) port = await otherPort(port, problem, envPort, io);
    say(`Starting Chroma on port ${port} (data in ${path})…`);
    // In a session of its own, so Ctrl-C at the terminal, a closed terminal or `timeout` reach
    // only this process, which stops Chroma the way it needs (SIGINT, then SIGKILL).
    const server = await startChromaServer({ path, port, detached: true });
    await recordStepDone(statePath, 'deploy', `local server ${server.url}`, () => ({ localServer: { path: server.path, port: server.port } })).catch((error: unknown) =>
      say(`! Could not record step 2 in ${statePath}: ${(error as Error).message}`),
    );
    say(`✓ Chroma is listening on ${server.url} — data in ${server.path}\n  Log: ${server.logFile}\n  Press Ctrl-C to stop.`);
    if (envPort !== null && envPort !== server.port) say(`! Your .env points at port ${envPort}, not ${server.port}. To use this server: chroma-migrate env set --url ${server.url}`);
    // A signal that came while Chroma was starting counts too.
    const stopped = new Promise<'signal'>((resolve) => (io.signal.aborted ? resolve('signal') : io.signal.addEventListener('abort', () => resolve('signal'), { once: true })));
    const outcome = await Promise.race([stopped, server.exited]);
    if (outcome === 'signal') {
      await server.stop();
      say('Chroma stopped.');
      return EXIT.ok;
    }
    // Chroma ends with 0 only when asked to: `serve --stop` from another terminal, or a signal sent to its process.
    if (outcome === 0) {
      say('Chroma stopped (asked to from outside this terminal: chroma-migrate serve --stop, or a signal to its process).');
      return EXIT.ok;
    }
    say(`✗ The Chroma server exited by itself (code ${outcome}). See ${server.logFile}.`);
    return EXIT.failed;
  },
});

/** The port is taken: say so, offer the next free one (asked at a terminal, named otherwise). */
async function otherPort(taken: number, problem: PortProblem, envPort: number | null, io: CommandIo): Promise<number> {
  const next = await nextFreePort(taken);
  const already = problem === 'chroma';
  const what = describePortProblem(taken, problem);
  const envNote = envPort === taken ? ` Your .env points at port ${taken}: with another port, update it too (chroma-migrate env set --url http://localhost:${next}).` : '';
  if (!isInteractive(io)) {
    throw new MigrateError('SERVER_START', `${what}.`, `${already ? 'Use that one, or start' : 'Start'} another on the next free port: chroma-migrate serve --port ${next}.${envNote}`);
  }
  io.stderr.write(`! ${what}.${envNote}\n`);
  const { confirm } = await loadPrompts();
  const yes = await confirm({ message: `Start on port ${next} instead?`, default: !already }, { output: io.stderr, signal: io.signal });
  if (!yes) throw new MigrateError('SERVER_START', `${what}; nothing started.`, problem === 'no-permission' ? 'Choose a port from 1024 up with --port.' : 'Stop what runs there, or choose a port with --port.');
  return next;
}
