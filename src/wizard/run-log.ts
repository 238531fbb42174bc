import { STEPS, type StepId } from '../core/state/steps.js';
import { wrapWords } from '../cli/wrap.js';
import type { MigrationState } from '../core/state/schema.js';
import { isMigrateError } from '../core/util/errors.js';
import type { WizardEvent } from './machine.js';

const MARK = { done: '✓', skipped: '–', failed: '✗', active: '▶', pending: '·' } as const;

function title(step: StepId): string {
  const index = STEPS.findIndex((entry) => entry.id === step);
  return `${index + 1}. ${STEPS[index]?.title ?? step}`;
}

/** A navigation or a step's outcome as one line of the run's log; null for what is not worth a line (progress). */
export function describeEvent(event: WizardEvent): string | null {
  switch (event.type) {
    case 'step-done':
      return `✓ ${title(event.step)}${event.detail ? `: ${event.detail}` : ''}`;
    case 'step-skipped':
      return `– ${title(event.step)} skipped${event.detail ? `: ${event.detail}` : ''}`;
    case 'step-failed':
      return `✗ ${title(event.step)}: ${event.detail}`;
    case 'goto':
      return `went to step ${title(event.step)}`;
    case 'redo':
      return `chose to do step ${title(event.step)} again`;
    case 'back':
      return 'went back a step';
    case 'begin':
    case 'resume':
    case 'start-over':
      return `chose ${event.type}`;
    case 'progress':
      return null;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/** An error as the screen shows it: the message, and the fix after an arrow. */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `✗ ${message}${isMigrateError(error) && error.fix ? `\n→ ${error.fix}` : ''}`;
}

/** What the wizard leaves in the scrollback on its way out: one line a step, and where the log is. */
export function exitSummary(saved: MigrationState, logPath: string, width = 80): string {
  // Wrapped to the terminal at spaces: a line the terminal breaks itself splits a word in two.
  const lines = STEPS.flatMap((step, index) => {
    const entry = saved.steps[step.id];
    const status = entry?.status ?? 'pending';
    return wrapWords(`${MARK[status]} ${index + 1}. ${step.title}${entry?.detail ? ` (${entry.detail})` : ''}`, width, '', '     ');
  });
  // Step 4 comes before step 5, as in the guide: left between them, the app reads a server that holds part of the data.
  if (saved.steps.env?.status === 'done' && saved.steps.import?.status !== 'done') {
    lines.push(...wrapWords('! Your .env already points at the self-hosted server, which holds only part of your data until step 5 finishes: finish it (run chroma-migrate again), or point the app back with chroma-migrate rollback.', width, '', '  '));
  }
  // The path on a line of its own: a terminal breaks a long one anywhere, never at a space.
  return `${lines.join('\n')}\nThe whole run, step by step, is in:\n  ${logPath}\n`;
}
