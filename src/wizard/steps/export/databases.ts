import type { Endpoint } from '../../../core/chroma/endpoint.js';
import { compareNames } from '../../../core/sources/server/export-pump.js';
import type { WizardServices } from '../../services.js';
import type { ExportPhase } from './ExportView.js';

/**
 * What the source offers: its databases when the tenant has more than one (the user picks, as
 * `export --all-databases` would take them all), otherwise the one database's collections.
 */
export async function listSource(services: WizardServices, source: Endpoint, signal: AbortSignal): Promise<ExportPhase> {
  // In the CLI's words (a Cloud DNS failure is explained, not shown raw).
  const explained = <T>(work: Promise<T>) => work.catch((error: unknown) => Promise.reject(services.explain(error, source)));
  // Resolved without a database: a Cloud key may read several, and the user picks among them.
  const tenant = await explained(services.resolveTenant({ ...source, database: source.resolveTenant ? '*' : source.database }, signal));
  // A key or server that cannot list databases still exports the one it names.
  const databases = await services.databasesOf(tenant, signal).catch(() => null);
  if (databases && databases.length > 1) return { name: 'databases', source: tenant, databases };
  const only = databases?.[0]?.name;
  const one = only ? { ...tenant, database: only } : await explained(services.resolveTenant(source, signal));
  return { name: 'collections', source: one, names: await collectionNames(services, one, signal) };
}

async function collectionNames(services: WizardServices, source: Endpoint, signal: AbortSignal): Promise<string[]> {
  const infos = await services.api(source).allCollections({ signal }).catch((error: unknown) => Promise.reject(services.explain(error, source)));
  // The server lists in no fixed order: by name, the list is the same each time.
  return infos.map((info) => info.name).sort(compareNames);
}
