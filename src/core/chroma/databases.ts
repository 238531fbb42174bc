/**
 * A tenant's databases (GET/POST /api/v2/tenants/{tenant}/databases), the same on a single node
 * and on Chroma Cloud. Listing a database that does not exist answers an empty list, not a 404:
 * whether it exists is asked separately.
 */
import type { Endpoint } from './endpoint.js';
import { ChromaApi } from './api.js';
import { chromaRequest, notChroma } from './http.js';
import { retryExplained } from './explain.js';
import { resolveTenant } from './tenant.js';
import { MigrateError } from '../util/errors.js';
import { inQuotes, shown } from '../util/format.js';

export interface DatabaseInfo {
  id: string;
  name: string;
  tenant: string;
}

const PAGE = 100;

function databasesPath(tenant: string): string {
  return `/api/v2/tenants/${encodeURIComponent(tenant)}/databases`;
}

/** Every database of the endpoint's tenant, by name (the server's order is not promised). */
export async function listDatabases(target: Endpoint, options: { signal?: AbortSignal } = {}): Promise<DatabaseInfo[]> {
  const all: DatabaseInfo[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const path = `${databasesPath(target.tenant)}?limit=${PAGE}&offset=${offset}`;
    const page = await chromaRequest<unknown>(target, 'GET', path, options);
    if (!Array.isArray(page)) throw notChroma('GET', path, 200, JSON.stringify(page) ?? '');
    all.push(...(page as DatabaseInfo[]));
    if (page.length < PAGE) break;
  }
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
/** Creates it unless it exists (a 409 from a concurrent run is as good as ours). */
export async function ensureDatabase(target: Endpoint, name: string, options: { signal?: AbortSignal } = {}): Promise<'created' | 'existed'> {
  if (await databaseExists(target, name, options)) return 'existed';
  try {
    await chromaRequest(target, 'POST', databasesPath(target.tenant), { ...options, body: { name } });
    return 'created';
  } catch (error) {
    if ((error as { kind?: string }).kind === 'conflict') return 'existed';
    throw error;
  }
}

/** Chroma 1.5's rule for a new database's name; 1.0 accepted more, so an old source may hold names a new target refuses. */
export function databaseNameProblem(name: string): string | null {
  if (name.length >= 3 && name.length <= 512 && /^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$/.test(name)) return null;
  return `${inQuotes(name)} is not a name a Chroma server accepts for a new database (3–512 characters from a-z A-Z 0-9 . _ -, starting and ending with a letter or digit)`;
}

/** Whether the tenant has a database of that name. */
export async function databaseExists(target: Endpoint, name: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
  try {
    await chromaRequest(target, 'GET', `${databasesPath(target.tenant)}/${encodeURIComponent(name)}`, options);
    return true;
  } catch (error) {
    if ((error as { kind?: string }).kind === 'not-found') return false;
    throw error;
  }
}

/**
 * The names of the source's databases, its tenant resolved first without a database: a Chroma
 * Cloud key may read several, and all are wanted (a key scoped to one lists only that one).
 */
export async function sourceDatabaseNames(source: Endpoint, options: { signal?: AbortSignal } = {}): Promise<string[]> {
  const resolved = await resolveTenant({ ...source, database: source.resolveTenant ? '*' : source.database }, options.signal);
  const databases = await retryExplained(resolved, () => listDatabases(resolved, options), options);
  return databases.map((database) => database.name);
}

/**
 * Where a --database-map sends each of these source databases must be a database of its own:
 * two sent into one would each write over (or be compared with) the other's collection of the
 * same name, record by record for the same ids. Refused before anything is read or written.
 */
export function refuseSharedTargets(databases: Iterable<string>, map: ReadonlyMap<string, string> | undefined): void {
  const byTarget = new Map<string, string[]>();
  for (const database of new Set(databases)) {
    const to = map?.get(database) ?? database;
    byTarget.set(to, [...(byTarget.get(to) ?? []), database]);
  }
  const shared = [...byTarget].find(([, from]) => from.length > 1);
  if (!shared) return;
  const [to, from] = shared;
  const names = from.map(shown);
  const who = names.length === 2 ? `${names[0]} and ${names[1]} would both` : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} would all`;
  throw new MigrateError(
    'USAGE',
    `${who} go to ${shown(to)} on the target; map them to different databases.`,
    `Send each to a database of its own (e.g. --database-map ${shown(from.find((name) => name !== to) ?? from[0]!)}=another_name), or leave the map out.`,
  );
}

/**
 * The source's tenant resolved (tenant.ts), and its database there: Chroma 1.x answers a listing
 * of the collections of a database it does not have with an empty list (200, `[]`), so a typo in
 * --database read as an empty database ("nothing to do", an empty backup marked done). Asked by
 * name (404 when missing); when a key may not ask that, the listing that follows tells.
 */
export async function sourceDatabase(source: Endpoint, signal?: AbortSignal): Promise<Endpoint> {
  const resolved = await resolveTenant(source, signal);
  const exists = await retryExplained(resolved, () => databaseExists(resolved, resolved.database, { signal }), { signal }).catch((error: unknown) => {
    if (error instanceof MigrateError && error.code === 'UNAUTHORIZED') return true;
    throw error;
  });
  if (exists) return resolved;
  const names = await listDatabases(resolved, { signal }).then((all) => all.map((database) => database.name), () => null);
  // Listed after all: the listing is trusted over the answer by name.
  if (names?.includes(resolved.database)) return resolved;
  const where = `${resolved.url} (tenant ${inQuotes(resolved.tenant)})`;
  const has = names === null ? '' : names.length > 0 ? ` (it has: ${names.map(shown).join(', ')})` : ' (it has no database: is the tenant right?)';
  throw new MigrateError('NOT_FOUND', `Database ${inQuotes(resolved.database)} was not found on ${where}${has}. Nothing was read or written.`, 'Check the name given with --database (or CHROMA_DATABASE in .env).');
}

export interface OtherDatabase {
  name: string;
  /** How many collections it holds (at least one). */
  collections: number;
}

/**
 * The databases of the source's tenant besides the one a run reads that hold collections: a run
 * of one database would otherwise leave them behind while it says ✓. Null when the tenant's
 * databases cannot be listed (a Chroma Cloud key scoped to one database may not): the run reads
 * its own database as before, and says nothing it does not know.
 */
export async function otherDatabases(source: Endpoint, signal?: AbortSignal): Promise<{ tenant: string; databases: OtherDatabase[] } | null> {
  try {
    const resolved = await resolveTenant(source, signal);
    const found: OtherDatabase[] = [];
    for (const database of await listDatabases(resolved, { signal })) {
      if (database.name === resolved.database) continue;
      const collections = await new ChromaApi({ ...resolved, database: database.name }).countCollections({ signal });
      if (collections > 0) found.push({ name: database.name, collections });
    }
    return { tenant: resolved.tenant, databases: found };
  } catch (error) {
    if (signal?.aborted) throw error;
    return null;
  }
}
