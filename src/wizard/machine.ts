import { fraction } from '../core/util/format.js';
import { STEPS, type StepId, type StepStatus } from '../core/state/steps.js';
import type { MigrationState } from '../core/state/schema.js';
import { importPlanOf, serverOf } from '../core/state/import-plans.js';

/** Where the wizard is: a welcome/resume screen, one of the seven steps, or the end. */
type Screen = 'welcome' | StepId | 'done';

export interface WizardState {
  screen: Screen;
  steps: Record<StepId, StepStatus>;
  /** Details shown in the checklist, e.g. "import 600/1177". */
  details: Partial<Record<StepId, string>>;
  /** A finished step the user chose to do again: its work must not take the earlier run as already done. */
  again?: StepId;
}

export type WizardEvent =
  | { type: 'begin' }
  | { type: 'resume' }
  | { type: 'start-over' }
  | { type: 'step-done'; step: StepId; detail?: string }
  | { type: 'step-skipped'; step: StepId; detail?: string }
  | { type: 'step-failed'; step: StepId; detail: string }
  | { type: 'progress'; step: StepId; detail: string }
  | { type: 'back' }
  | { type: 'goto'; step: StepId }
  /** "Do this step again" on a finished step. */
  | { type: 'redo'; step: StepId };

const ORDER: StepId[] = STEPS.map((step) => step.id);

function allPending(): Record<StepId, StepStatus> {
  return Object.fromEntries(ORDER.map((id) => [id, 'pending'])) as Record<StepId, StepStatus>;
}

export function initialWizardState(): WizardState {
  return { screen: 'welcome', steps: allPending(), details: {} };
}

/** The persisted checklist, read back into the wizard's shape ('active' from a crash means unfinished). */
export function wizardStateFrom(saved: MigrationState): WizardState {
  const steps = allPending();
  const details: WizardState['details'] = {};
  for (const id of ORDER) {
    const entry = saved.steps[id];
    if (!entry) continue;
    steps[id] = entry.status === 'active' ? 'pending' : entry.status;
    if (entry.detail) details[id] = entry.detail;
  }
  // An interrupted import says how far it got: "Resume at step 5 (import 600/1177)?"
  const run = interruptedImport(saved);
  if (run && steps.import !== 'done') details.import = `import ${fraction(run.committed, run.total)}`;
  return { screen: 'welcome', steps, details };
}

/**
 * How far an interrupted import got, over all its collections: those of the backup and server
 * of an unfinished checkpoint, finished ones included, of the whole import as noted when it
 * started (its collections not started yet included). One collection's count read as the whole
 * import's ("import 400 of 2,000" of three collections holding 1,200 of 4,700), and the started
 * ones' as the whole ("2 of 2" when there were 5).
 */
function interruptedImport(saved: MigrationState): { committed: number; total: number } | null {
  const unfinished = saved.imports.find((checkpoint) => !checkpoint.done);
  if (!unfinished) return null;
  const server = serverOf(unfinished.target);
  const run = saved.imports.filter((checkpoint) => checkpoint.backup === unfinished.backup && checkpoint.fingerprint === unfinished.fingerprint && serverOf(checkpoint.target) === server);
  const started = run.reduce((sum, entry) => sum + entry.total, 0);
  // An older state has no plan; an earlier import of other collections of the same file may add to the checkpoints.
  const planned = importPlanOf(saved, unfinished.backup, unfinished.fingerprint, server)?.records ?? 0;
  return { committed: run.reduce((sum, entry) => sum + entry.committed, 0), total: Math.max(started, planned) };
}

/** The first step that is neither done nor skipped: where a resume lands. */
export function nextOpenStep(steps: Record<StepId, StepStatus>): StepId | null {
  return ORDER.find((id) => steps[id] !== 'done' && steps[id] !== 'skipped') ?? null;
}


function enter(state: WizardState, screen: Screen): WizardState {
  if (screen === 'welcome' || screen === 'done') return { ...state, screen };
  return { ...state, screen, steps: { ...state.steps, [screen]: 'active' } };
}

function settle(state: WizardState, step: StepId, status: StepStatus, detail?: string): WizardState {
  const details = detail === undefined ? state.details : { ...state.details, [step]: detail };
  const settled: WizardState = { screen: state.screen, steps: { ...state.steps, [step]: status }, details };
  return enter(settled, nextOpenStep(settled.steps) ?? 'done');
}

/** Pure: the same state and event always give the same next state. Side effects live in the runner. */
export function transition(state: WizardState, event: WizardEvent): WizardState {
  switch (event.type) {
    case 'begin':
    case 'resume':
      return enter(state, nextOpenStep(state.steps) ?? 'done');
    case 'start-over':
      return enter(initialWizardState(), ORDER[0] as StepId);
    case 'step-done':
      return settle(state, event.step, 'done', event.detail);
    case 'step-skipped':
      return settle(state, event.step, 'skipped', event.detail);
    case 'step-failed':
      // Stay on the step so the user can retry or go back; the checklist shows the failure.
      return { ...state, steps: { ...state.steps, [event.step]: 'failed' }, details: { ...state.details, [event.step]: event.detail } };
    case 'progress':
      return { ...state, details: { ...state.details, [event.step]: event.detail } };
    case 'back': {
      if (state.screen === 'welcome') return state;
      const index = state.screen === 'done' ? ORDER.length : ORDER.indexOf(state.screen);
      if (index <= 0) return state;
      const current = state.screen === 'done' ? null : state.screen;
      const steps = current && state.steps[current] === 'active' ? { ...state.steps, [current]: 'pending' as const } : state.steps;
      const previous = ORDER[index - 1] as StepId;
      // A finished step is shown, not done again: its screen offers to keep it or redo it.
      if (steps[previous] === 'done' || steps[previous] === 'skipped') return { ...state, steps, screen: previous };
      return enter({ ...state, steps }, previous);
    }
    case 'goto':
      return enter(state, event.step);
    case 'redo':
      return { ...enter(state, event.step), again: event.step };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/**
 * What the runner writes back into the migration state after each transition (never secrets).
 * Each step keeps its own time: `at` moves only when that step's status or detail changes, so
 * the file says when each step happened, not when the last one did.
 */
export function persistableSteps(state: WizardState, saved: MigrationState['steps'] = {}, now = new Date()): MigrationState['steps'] {
  return Object.fromEntries(
    ORDER.filter((id) => state.steps[id] !== 'pending').map((id) => {
      const before = saved[id];
      const same = before && before.status === state.steps[id] && before.detail === state.details[id];
      return [id, { status: state.steps[id], at: same && before.at ? before.at : now.toISOString(), detail: state.details[id] }];
    }),
  ) as MigrationState['steps'];
}
