/**
 * The wizard as the tests mount it: the real App over the real engine (realServices), with only
 * the clock and the token generator pinned so frames are stable. Nothing that crosses the wire
 * is replaced; tests that need a server start a real one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { useChromaServer } from '../helpers/chroma.js';
import { renderAt, type TerminalSize } from '../helpers/ink-render.js';
import { select, waitForFrame } from '../helpers/ink.js';
import { App } from '../../src/wizard/App.js';
import { FrameSignal } from '../../src/wizard/layout/frames.js';
import { realServices, type WizardServices } from '../../src/wizard/services.js';
import type { Session } from '../../src/wizard/session.js';
import { initialWizardState, wizardStateFrom, type WizardState } from '../../src/wizard/machine.js';
import { STEP_IDS, type StepId, type StepStatus } from '../../src/core/state/steps.js';
import { loadState } from '../../src/core/state/store.js';
import { loadEnv } from '../../src/core/chroma/connection.js';
import { initialSession, startOver } from '../../src/wizard/run.js';

/** 2026-03-01T12:00:00Z: every frame and file name built from services.now() sees this. */
const FIXED_NOW = Date.parse('2026-03-01T12:00:00.000Z');
/** What the deploy guide shows instead of 32 random bytes. */
const FIXED_TOKEN = 'TEST-TOKEN-0123456789abcdefghijklmnopqrstu';

/** A clock that moves only when the test moves it. */
export interface ManualClock {
  now: () => number;
  advance: (ms: number) => void;
}

export function manualClock(start = FIXED_NOW): ManualClock {
  let at = start;
  return {
    now: () => at,
    advance: (ms) => {
      at += ms;
    },
  };
}

/** A temp folder whose name always has the same length (mkdtemp adds six characters), so wrapping never moves. */
export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cm-wiz-'));
}

/** A temp folder and a real Chroma server for one file's wizard tests, both removed after them. */
export function useFolderAndServer(): { readonly dir: string; readonly url: string } {
  const chroma = useChromaServer();
  let dir = '';
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  return {
    get dir() {
      return dir;
    },
    get url() {
      return chroma.url;
    },
  };
}

export interface ServiceOptions {
  dir: string;
  clock?: ManualClock;
  /** The process environment as main.ts builds it; by default what .env holds (loadEnv). */
  env?: Record<string, string | undefined>;
  overrides?: Partial<WizardServices>;
  /** Write the run's log file (a test that reads it); otherwise lines are dropped, so no write races a temp folder's removal. */
  logToFile?: boolean;
}

/** realServices as main.ts builds them, with the clock and the token pinned. */
export function testServices({ dir, clock = manualClock(), env, overrides, logToFile = false }: ServiceOptions): WizardServices {
  const envFile = join(dir, '.env');
  const real = realServices({ cwd: dir, env: env ?? loadEnv(envFile, {}), envFile, statePath: join(dir, 'state.json') });
  return {
    ...real,
    log: logToFile ? real.log : () => undefined,
    now: clock.now,
    newToken: () => FIXED_TOKEN,
    ...overrides,
  };
}

export type Mounted = ReturnType<typeof renderAt> & {
  /** Every code onExit was called with. */
  exits: number[];
  /** The notes onExit was given to print on the way out, in order. */
  exitNotes: string[];
  controller: AbortController;
  services: WizardServices;
  /** Unmount, then abort whatever work the screens left running. */
  stop: () => void;
};

/** 80×24 unless a test asks for another terminal: the size most terminals open at. */
export function mountWizard(services: WizardServices, initial: WizardState = initialWizardState(), session: Session = {}, size: TerminalSize = { columns: 80, rows: 24 }): Mounted {
  const exits: number[] = [];
  const exitNotes: string[] = [];
  const controller = new AbortController();
  let stopped = false;
  const frames = new FrameSignal();
  const app = renderAt(
    <App
      frames={frames}
      services={services}
      initial={initial}
      initialSession={session}
      controller={controller}
      onExit={(code, notes) => {
        exits.push(code);
        exitNotes.push(...notes);
      }}
      onStartOver={() => startOver(services)}
    />,
    size,
    frames.drawn,
  );
  return {
    ...app,
    exits,
    exitNotes,
    controller,
    services,
    stop: () => {
      if (stopped) return;
      stopped = true;
      app.unmount();
      controller.abort(new Error('test over'));
    },
  };
}

/** Mounts the wizard the way src/wizard/run.tsx does: from the saved state file. */
export async function mountFromSavedState(services: WizardServices): Promise<Mounted> {
  const saved = await loadState(services.statePath);
  return mountWizard(services, wizardStateFrom(saved), initialSession(saved, services));
}

/** The wizard standing on `screen`, with the steps before it settled as given (done by default). */
export function standingOn(screen: StepId, settled: Partial<Record<StepId, StepStatus>> = {}, details: WizardState['details'] = {}): WizardState {
  const index = STEP_IDS.indexOf(screen);
  const steps = Object.fromEntries(
    STEP_IDS.map((id, i) => [id, id === screen ? 'active' : (settled[id] ?? (i < index ? 'done' : 'pending'))]),
  ) as Record<StepId, StepStatus>;
  return { screen, steps, details };
}

/** Step 5 finished (its summary `detail`), the wizard standing on it. */
function finishedImport(detail: string): WizardState {
  const state = standingOn('import', {}, { import: detail });
  return { ...state, steps: { ...state.steps, import: 'done' } };
}

/** The wizard on a finished step 5 with "Do this step again" chosen; stopped if it never offers it. */
export async function importAgain(services: WizardServices, session: Session, detail: string): Promise<Mounted> {
  const app = mountWizard(services, finishedImport(detail), session);
  try {
    await waitForFrame(app, 'Do this step again', 20_000);
    await select(app, 'Do this step again');
    return app;
  } catch (error) {
    app.stop();
    throw error;
  }
}

/**
 * Makes a frame independent of the run: temp folders and ports become placeholders, and trailing
 * spaces go. Temp folders and ephemeral ports have a fixed length, so the layout does not move.
 */
export function stable(frame: string | undefined, dirs: string[] = []): string {
  let text = frame ?? '';
  for (const dir of dirs) text = text.split(dir).join('<tmp>');
  return text
    .replace(/(127\.0\.0\.1|localhost):\d{4,5}/g, '$1:<port>')
    .replace(/\bport \d{4,5}\b/g, 'port <port>')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
