import type { MigrationState } from './schema.js';
import type { StepId } from './steps.js';
import { StateStore } from './store.js';

/**
 * Ticks a step done from a subcommand (serve, ping, env set), so `status` and a resumed wizard
 * show where the user really is, however they got there. `extra` adds what the step learned
 * (the target URL, the local server), never a secret.
 */
export async function recordStepDone(
  path: string,
  step: StepId,
  detail: string,
  extra: (state: MigrationState) => Partial<MigrationState> = () => ({}),
  now = new Date(),
): Promise<void> {
  const store = await StateStore.open(path);
  await store.update((state) => {
    const next = { ...state, ...extra(state) };
    return { ...next, steps: { ...next.steps, [step]: { status: 'done', at: now.toISOString(), detail } } };
  });
}
