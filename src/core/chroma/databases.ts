/**
 * A tenant's databases (GET/POST /api/v2/tenants/{tenant}/databases), the same on a single node
 * and on Chroma Cloud. Listing a database that does not exist answers an empty list, not a 404:
 * whether it exists is asked separately.
 */
import type { Endpoint } from './endpoint.js';
import { chromaRequest, notChroma } from './http.js';

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
