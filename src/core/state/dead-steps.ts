import { processAlive } from '../util/file-lock.js';
import type { MigrationState } from './schema.js';

/**
 * A step left active by a process that is gone (kill -9, a closed laptop, a second Ctrl-C) was
 * interrupted: read as failed, "interrupted", so status and the next run never show it in
 * progress for ever. Only steps that name their process (`pid`) are judged; the wizard's own
 * active step means "unfinished" and is read as such elsewhere.
 */
export function settleDeadSteps(state: MigrationState): MigrationState {
  let changed = false;
  const steps = { ...state.steps };
  for (const [id, step] of Object.entries(steps) as Array<[keyof typeof steps, NonNullable<(typeof steps)[keyof typeof steps]>]>) {
    if (step.status !== 'active' || step.pid === undefined || isAlive(step.pid)) continue;
    changed = true;
    steps[id] = { status: 'failed', at: step.at, detail: step.detail ? `interrupted: ${step.detail}` : 'interrupted' };
  }
  return changed ? { ...state, steps } : state;
}

function isAlive(pid: number): boolean {
  return pid === process.pid || processAlive(pid);
}
