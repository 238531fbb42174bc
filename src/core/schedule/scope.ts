import { ChromaApi } from '../chroma/api.js';
import { listDatabases } from '../chroma/databases.js';
import { retryExplained } from '../chroma/explain.js';
import type { Endpoint } from '../chroma/endpoint.js';

/**
 * The databases a backup of this server covers: every database of its tenant that holds a
 * collection (a server an --all-databases import filled has collections outside the endpoint's
 * database, and a backup of one database would leave them in none). The endpoint's own database
 * alone when no other holds anything: the file then stays a single-database backup, restorable
 * into any database with --target-database.
 */
export async function databasesToBackUp(source: Endpoint, signal?: AbortSignal): Promise<string[]> {
  const databases = await retryExplained(source, () => listDatabases(source, { signal }), { signal });
  const holding: string[] = [];
  for (const { name } of databases) {
    const api = new ChromaApi({ ...source, database: name });
    if ((await retryExplained(source, () => api.allCollections({ signal }), { signal })).length > 0) holding.push(name);
  }
  const others = holding.filter((name) => name !== source.database);
  return others.length === 0 ? [source.database] : holding;
}
