/**
 * Where a run writes on the target: its tenant and database, created when missing by a run that
 * writes (without them every collection's creation is refused with a 400 that names no fix), and
 * only named by a plan. A tenant the server lacks is created first, then the database in it: a
 * new tenant holds no database, not even default_database.
 */
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Endpoint } from '../../chroma/endpoint.js';
import { retryExplained } from '../../chroma/explain.js';
import { databaseExists, databaseNameProblem, ensureDatabase } from '../../chroma/databases.js';
import { ensureTenant, tenantExists, tenantNameProblem } from '../../chroma/tenant.js';
import { MigrateError } from '../../util/errors.js';
import { inQuotes } from '../../util/format.js';
import type { ProgressListener } from '../../util/progress.js';

/** The endpoint's tenant and database, each created when the server lacks it, and said so. */
export async function ensureTargetPlace(target: Endpoint, progress: ProgressListener, signal: AbortSignal | undefined): Promise<void> {
  const defaultTenant = target.tenant === DEFAULT_TENANT;
  if (defaultTenant && target.database === DEFAULT_DATABASE) return;
  refuseUnnamable(target);
  if (!defaultTenant) {
    const made = await retryExplained(target, () => ensureTenant(target, { signal }), { signal });
    if (made === 'created') progress({ type: 'phase', message: `Created tenant ${inQuotes(target.tenant)} on ${target.url}` });
  }
  const made = await retryExplained(target, () => ensureDatabase(target, target.database, { signal }), { signal });
  if (made === 'created') progress({ type: 'phase', message: `Created database ${inQuotes(target.database)}${defaultTenant ? '' : ` in tenant ${inQuotes(target.tenant)}`} on ${target.url}` });
}

/** Refused before anything is written: names no server would create. */
export function refuseUnnamable(target: Endpoint): void {
  const tenant = target.tenant === DEFAULT_TENANT ? null : tenantNameProblem(target.tenant);
  if (tenant) throw new MigrateError('BAD_INPUT', `The target cannot create tenant ${tenant}.`, 'Pick another --target-tenant.');
  const database = target.database === DEFAULT_DATABASE ? null : databaseNameProblem(target.database);
  if (database) throw new MigrateError('BAD_INPUT', `The target cannot create database ${database}.`, 'Pick another --target-database.');
}

/**
 * What a run of `verb` ("the import") would create on the target, for its plan: nothing is
 * created. Empty when the tenant and the database are there.
 */
export async function placeNotes(target: Endpoint, verb: string, signal: AbortSignal | undefined): Promise<string[]> {
  const defaultTenant = target.tenant === DEFAULT_TENANT;
  if (defaultTenant && target.database === DEFAULT_DATABASE) return [];
  if (!defaultTenant && !(await hasTenant(target, signal))) {
    return [`The target has no tenant ${inQuotes(target.tenant)}: ${verb} would create it, with database ${inQuotes(target.database)} in it.`];
  }
  if (await retryExplained(target, () => databaseExists(target, target.database, { signal }), { signal })) return [];
  return [`The target has no database ${inQuotes(target.database)}${defaultTenant ? '' : ` in tenant ${inQuotes(target.tenant)}`}: ${verb} would create it.`];
}

/** The tenant alone, for a plan of several databases (each named with whether it exists). */
export async function tenantNotes(target: Endpoint, verb: string, signal: AbortSignal | undefined): Promise<string[]> {
  if (target.tenant === DEFAULT_TENANT) return [];
  if (await hasTenant(target, signal)) return [];
  return [`The target has no tenant ${inQuotes(target.tenant)}: ${verb} would create it.`];
}

function hasTenant(target: Endpoint, signal: AbortSignal | undefined): Promise<boolean> {
  return retryExplained(target, () => tenantExists(target, { signal }), { signal });
}

/**
 * For a run that only reads the target (verify): a --target-tenant the server lacks holds nothing
 * any run wrote, most likely a typo; said beside the verdict, which finds every collection missing.
 */
export async function absentTenantNotes(target: Endpoint, signal: AbortSignal | undefined): Promise<string[]> {
  if (target.tenant === DEFAULT_TENANT || (await hasTenant(target, signal))) return [];
  return [`The target has no tenant ${inQuotes(target.tenant)}: no run wrote there. Check --target-tenant (the one the copy or import wrote to).`];
}
