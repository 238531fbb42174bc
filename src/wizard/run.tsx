import { setMaxListeners } from 'node:events';
import { render } from 'ink';
import { loadState } from '../core/state/store.js';
import { startOverState } from '../core/state/start-over.js';
import { nextOpenStep, wizardStateFrom } from './machine.js';
import { startChromaServer, type RunningServer } from '../core/local-server/chroma-server.js';
import { App } from './App.js';
import { FrameSignal } from './layout/frames.js';
import { withoutInkFullscreenClear } from './layout/tall-stdout.js';
import { resumedTarget } from './target.js';
import { loadEnv } from '../core/chroma/connection.js';
import type { MigrationState } from '../core/state/schema.js';
import type { Session } from './session.js';
import { realServices, type WizardServices } from './services.js';
import { exitSummary } from './run-log.js';
import { waitingToken } from '../core/deploy/keep-token.js';
import { isDeployToken } from '../core/state/deploy-token.js';
import { wrapWords } from '../cli/wrap.js';
import { relative } from 'node:path';

function relativeOrAbsolute(cwd: string, path: string): string {
  const shown = relative(cwd, path);
  return shown.startsWith('..') ? path : shown;
}

/**
 * What a resumed wizard remembers: the backup, the tested server (its URL from the state file;
 * its token, never persisted, from where step 3 took it: resumedTarget), the token step 2 made
 * for the proxy (waiting in .env until step 4 sets CHROMA_HOST), the last ingestion command.
 */
export function initialSession(saved: MigrationState, services: WizardServices): Session {
  const env = loadEnv(services.envFile, services.env);
  const deployToken = stepTwoToken(saved, services.envFile, env);
  return {
    backupPath: saved.backupPath,
    ingestCommand: saved.ingestCommand,
    ingestWithheld: saved.ingestWithheld,
    ...resumedTarget(saved, env, deployToken),
    deployToken,
  };
}

/** Step 2's token waiting in .env, when the state knows it as step 2's (a token put there for another reason is not). */
function stepTwoToken(saved: MigrationState, envFile: string, env: Record<string, string | undefined>): string | undefined {
  const waiting = waitingToken(env);
  return waiting && isDeployToken(saved, envFile, waiting) ? waiting : undefined;
}

/**
 * "Start over": the old state is kept aside as a backup; the fresh one still knows the user's files
 * as they were before the migration (start-over.ts): the .env's origin for rollback, step 2's tokens.
 */
export async function startOver(services: WizardServices): Promise<void> {
  await startOverState(services.statePath);
}

/**
 * The local server a migration in progress was using stopped with the wizard that started it:
 * start it again on the same folder and port, in the background, so the first frame does not
 * wait and a resumed import finds it (its first request retries while the server comes up).
 * If it cannot start (the port taken, say), the step that needs it says so.
 */
export function restartLocalServer(saved: MigrationState, services: WizardServices): Promise<RunningServer | null> | null {
  if (!saved.localServer || nextOpenStep(wizardStateFrom(saved).steps) === null) return null;
  return services.startChromaServer({ path: saved.localServer.path, port: saved.localServer.port }).catch(() => null);
}

/** Mounts the wizard on the terminal; resolves with the exit code once it unmounts. */
export async function runWizard(base: Pick<WizardServices, 'cwd' | 'env' | 'envFile' | 'statePath'>): Promise<number> {
  const servers: RunningServer[] = [];
  const services: WizardServices = {
    ...realServices(base),
    // A local server started for the user lives as long as the wizard and is stopped on the way
    // out, unless the user chooses at the end to keep it (detached, so it can outlive us).
    startChromaServer: async (options) => {
      const server = await startChromaServer({ ...options, detached: true });
      servers.push(server);
      return server;
    },
    keepServerRunning: (server) => {
      const index = servers.findIndex((candidate) => candidate.pid === server.pid);
      if (index >= 0) servers.splice(index, 1);
      server.keepRunning();
    },
  };
  services.log(`chroma-migrate wizard started in ${services.cwd}`);
  const saved = await loadState(services.statePath);
  const restarting = restartLocalServer(saved, services);
  const controller = new AbortController();
  // As in bin/cli.ts: the collections in flight each listen to it several times; Node's warning
  // of a leak past 10 listeners was printed over the screen.
  setMaxListeners(1_000, controller.signal);
  let code = 0;
  let notes: string[] = [];
  const frames = new FrameSignal();
  const instance = render(
    <App
      services={services}
      initial={wizardStateFrom(saved)}
      initialSession={initialSession(saved, services)}
      controller={controller}
      onExit={(exitCode, said) => {
        code = exitCode;
        notes = said;
      }}
      onStartOver={() => startOver(services)}
      localServer={restarting ?? undefined}
      frames={frames}
    />,
    { exitOnCtrlC: false, onRender: frames.drawn, stdout: withoutInkFullscreenClear(process.stdout) },
  );
  await instance.waitUntilExit();
  await restarting; // one still starting is stopped with the rest
  await Promise.all(servers.map((server) => server.stop()));
  // Below the last frame, into the scrollback: what each step did, and where the whole run is.
  const final = await loadState(services.statePath).catch(() => null);
  const width = process.stdout.columns ?? 80;
  if (final) process.stdout.write(`\n${exitSummary(final, relativeOrAbsolute(services.cwd, services.logPath), width)}`);
  for (const note of notes) process.stdout.write(`${wrapWords(note, width, '', '  ').join('\n')}\n`);
  return code;
}
