import { MigrateError } from '../util/errors.js';
import { ChromaApi } from './api.js';
import type { Endpoint } from './endpoint.js';
import { retryExplained } from './explain.js';
import { inQuotes, shown } from '../util/format.js';
import { chromaRequest } from './http.js';

/** Cloud API keys are scoped to one tenant; ask which one (and the database when there is only one). */
export async function resolveTenant(source: Endpoint, signal?: AbortSignal): Promise<Endpoint> {
  if (!source.resolveTenant) return source;
  const identity = await retryExplained(source, () => new ChromaApi(source).identity({ signal }), { signal });
  const databases = identity.databases ?? [];
  const database = databases.length === 1 ? databases[0] : undefined;
  if (!database && source.database === 'default_database' && databases.length > 1) {
    throw new MigrateError('NEEDS_ANSWER', `Your key can read several databases: ${databases.map(shown).join(', ')}.`, 'Pick one with --database (or CHROMA_DATABASE in .env).');
  }
  return { ...source, tenant: identity.tenant, database: database ?? source.database, resolveTenant: false };
}


/**
 * A target's tenants (GET/POST /api/v2/tenants), on a single node from release 1.0 on. A new
 * tenant holds no database, not even default_database: the run that writes creates that too.
 */
const TENANTS = '/api/v2/tenants';

/** Whether the server has a tenant of the endpoint's name. */
export async function tenantExists(target: Endpoint, options: { signal?: AbortSignal } = {}): Promise<boolean> {
  try {
    await chromaRequest(target, 'GET', `${TENANTS}/${encodeURIComponent(target.tenant)}`, options);
    return true;
  } catch (error) {
    if ((error as { kind?: string }).kind === 'not-found') return false;
    throw error;
  }
}

/** Creates the endpoint's tenant unless it exists (a 409 from a concurrent run is as good as ours). */
export async function ensureTenant(target: Endpoint, options: { signal?: AbortSignal } = {}): Promise<'created' | 'existed'> {
  if (await tenantExists(target, options)) return 'existed';
  try {
    await chromaRequest(target, 'POST', TENANTS, { ...options, body: { name: target.tenant } });
    return 'created';
  } catch (error) {
    if ((error as { kind?: string }).kind === 'conflict') return 'existed';
    throw error;
  }
}

/** Chroma's rule for a new tenant's name (measured on 1.0.1 and 1.5.9: at least 3 characters, any of them). */
export function tenantNameProblem(name: string): string | null {
  return name.length >= 3 ? null : `${inQuotes(name)} is not a name a Chroma server accepts for a new tenant (at least 3 characters)`;
}
