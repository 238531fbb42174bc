/**
 * A data folder may hold several tenants, and a run reads one (--tenant, default_tenant): the
 * others must be named, or their collections are left behind while the run says ✓. No route of
 * the server lists tenants, so their names come from chroma.sqlite3's `tenants` table
 * (sqlite-table.ts); the served copy is then asked which of their databases hold collections.
 */
import { DEFAULT_TENANT, type Endpoint } from '../../chroma/endpoint.js';
import { listDatabases } from '../../chroma/databases.js';
import { ChromaApi } from '../../chroma/api.js';
import { shellWord, shown } from '../../util/format.js';
import { readTable } from './sqlite-table.js';

export interface OtherTenant {
  tenant: string;
  /** Its databases that hold at least one collection. */
  databases: string[];
}

/** The tenant names in the folder's SQLite file; null when they cannot be read from it. */
export async function tenantNames(sqliteFile: string): Promise<string[] | null> {
  const rows = await readTable(sqliteFile, 'tenants').catch(() => null);
  return rows === null ? null : rows.map((row) => row[0]).filter((name): name is string => typeof name === 'string');
}

/** The tenants besides the served endpoint's that hold collections, as the server answers for each. */
export async function otherTenants(names: string[], served: Endpoint, signal?: AbortSignal): Promise<OtherTenant[]> {
  const found: OtherTenant[] = [];
  for (const tenant of [...names].sort()) {
    if (tenant === served.tenant) continue;
    const at = { ...served, tenant };
    const holding: string[] = [];
    for (const database of await listDatabases(at, { signal })) {
      const collections = await new ChromaApi({ ...at, database: database.name }).listCollections({ limit: 1, offset: 0 }, { signal });
      if (collections.length > 0) holding.push(database.name);
    }
    if (holding.length > 0) found.push({ tenant, databases: holding });
  }
  return found;
}

/**
 * "Also in this folder: tenant tenant2 (database dbX), which this run does not read: run again with
 * --tenant tenant2 --target-tenant tenant2." `toTarget`: the run has a target, where each tenant is
 * named a tenant of its own, or its collections would join those of the same name there.
 */
export function describeOtherTenants(others: OtherTenant[], toTarget = false): string {
  const each = others.map((other) => `tenant ${shown(other.tenant)} (${other.databases.length === 1 ? 'database' : 'databases'} ${other.databases.map(shown).join(', ')})`);
  const own = (tenant: string) => (toTarget && tenant !== DEFAULT_TENANT ? ` --target-tenant ${shellWord(tenant)}` : '');
  const runs = others.map((other) => `--tenant ${shellWord(other.tenant)}${own(other.tenant)}`);
  return `Also in this folder: ${each.join(', ')}, which this run does not read: run again with ${runs.join(', and again with ')}.`;
}
