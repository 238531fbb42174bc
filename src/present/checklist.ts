import { STEPS } from '../core/state/steps.js';
import type { MigrationState } from '../core/state/schema.js';
import { placeInState } from '../core/state/target-place.js';
import { commandText, targetPlaceFlags } from './resume-command.js';

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

/**
 * The checklist is what the runs saved, not what the servers hold now (a collection may have been
 * deleted since): said under it, with the command that looks again, once a target was written to.
 */
export function savedNotChecked(state: MigrationState): string[] {
  const wrote = (['import', 'verify'] as const).some((id) => state.steps[id]?.status === 'done');
  if (!wrote) return [];
  const verified = state.steps.verify?.status === 'done' && state.steps.verify.at ? ` (last verified ${state.steps.verify.at.slice(0, 16).replace('T', ' ')} UTC)` : '';
  const lines = [`Saved by the runs${verified}; status does not ask the servers.`];
  if (!state.backupPath || !state.targetUrl) return [...lines, 'To check the target as it is now: chroma-migrate verify --input BACKUP --url TARGET'];
  return [...lines, 'To check the target as it is now:', `  ${commandText('verify', ['--input', state.backupPath, '--url', state.targetUrl, ...targetPlace(state)])}`];
}

/**
 * `--target-tenant T` and `--target-database D` when every import into this target went to one
 * tenant, one database, other than the default: the verify reads where the records were written.
 */
function targetPlace(state: MigrationState): string[] {
  const { tenant, database } = placeInState(state, state.targetUrl!);
  return targetPlaceFlags(tenant, database);
}
