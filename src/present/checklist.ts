import { STEPS } from '../core/state/steps.js';
import type { MigrationState } from '../core/state/schema.js';

const MARKS = { done: '✓', skipped: '–', failed: '✗', active: '▶', pending: ' ' } as const;

/** The guide's "Migration Status": seven steps, what is done, where the user is. */
export function checklist(state: MigrationState): string[] {
  const current = STEPS.find((step) => {
    const status = state.steps[step.id]?.status ?? 'pending';
    return status !== 'done' && status !== 'skipped';
  });
  return STEPS.map((step, index) => {
    const entry = state.steps[step.id];
    const status = entry?.status ?? 'pending';
    const here = current?.id === step.id ? '  ← you are here' : '';
    const detail = entry?.detail ? ` (${entry.detail})` : '';
    return `[${MARKS[status]}] ${index + 1}. ${step.title}${detail}${here}`;
  });
}
