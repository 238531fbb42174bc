import { MigrateError } from '../util/errors.js';
import { ChromaApi } from './api.js';
import type { Endpoint } from './endpoint.js';
import { retryExplained } from './explain.js';
import { shown } from '../util/format.js';

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

