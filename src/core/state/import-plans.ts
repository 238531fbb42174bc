import type { ImportPlan, MigrationState } from './schema.js';

/**
 * What one import set out to do, over all its collections (and databases), noted as it starts.
 * Its checkpoints only appear as collections start (a few at a time), so before this an import
 * stopped early counted only those: "import 400 of 600" of five collections holding 1,500.
 */
export function importPlanOf(state: MigrationState, backup: string, fingerprint: string, server: string): ImportPlan | undefined {
  return state.importPlans.find((plan) => plan.backup === backup && plan.fingerprint === fingerprint && plan.server === server);
}

/** The state with `plan` noted, in place of an earlier one of the same backup and server. */
export function withImportPlan(state: MigrationState, plan: ImportPlan): Pick<MigrationState, 'importPlans'> {
  const others = state.importPlans.filter((entry) => !(entry.backup === plan.backup && entry.fingerprint === plan.fingerprint && entry.server === plan.server));
  return { importPlans: [...others, plan] };
}

/** A checkpoint's target is URL/tenant/database; a backup of several databases goes to one server: URL/tenant. */
export function serverOf(target: string): string {
  return target.split('/').slice(0, -1).join('/');
}
