import type { MigrationState } from './schema.js';
import type { StepId, StepStatus } from './steps.js';
import { StateStore } from './store.js';

type Extra = (state: MigrationState) => Partial<MigrationState>;

/**
 * Ticks a step done from a subcommand (serve, ping, env set), so `status` and a resumed wizard
 * show where the user really is, however they got there. `extra` adds what the step learned
 * (the target URL, the local server), never a secret.
 */
export function recordStepDone(path: string, step: StepId, detail: string, extra: Extra = () => ({}), now = new Date()): Promise<void> {
  return recordStep(path, step, 'done', detail, extra, now);
}

/** Un-ticks a step whose effect was undone (rollback of step 4): `detail` says what happened. */
export function recordStepUndone(path: string, step: StepId, detail: string, now = new Date()): Promise<void> {
  return recordStep(path, step, 'pending', detail, () => ({}), now);
}

async function recordStep(path: string, step: StepId, status: StepStatus, detail: string, extra: Extra, now: Date): Promise<void> {
  const store = await StateStore.open(path);
  await store.update((state) => {
    const next = { ...state, ...extra(state) };
    return { ...next, steps: { ...next.steps, [step]: { status, at: now.toISOString(), detail } } };
  });
}
