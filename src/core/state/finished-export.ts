/**
 * What the state says of an export that finished into a file, read without asking the source:
 * a copy run again once only its verify was left can go on from the file when the source can no
 * longer be reached (Chroma Cloud stops serving), and needs to know which export it was and
 * which collections were the source's own.
 */
import { DEFAULT_DATABASE } from '../chroma/endpoint.js';
import type { ExportCheckpoint, MigrationState } from './schema.js';

/** Where a source is, as the command names it: its tenant and database may be the key's, learnt only by asking. */
interface NamedSource {
  url: string;
  /** A data folder is named by its path, not by the passing URL of the server on its copy. */
  folder?: { path: string };
  tenant: string;
  database: string;
  /** The tenant (and a key's only database) are Chroma Cloud's answer for the key, not the flags'. */
  resolveTenant: boolean;
}

/** The finished export into `out` (the state keeps one export a file), when it was taken from this source. */
export function finishedExportFrom(state: MigrationState, out: string, source: NamedSource): ExportCheckpoint | null {
  const exported = state.exports.find((entry) => entry.out === out && entry.done);
  if (!exported) return null;
  const at = source.folder?.path ?? source.url;
  if (!source.resolveTenant) return exported.source === `${at}/${source.tenant}/${source.database}` ? exported : null;
  // The tenant is the key's; so is the database when the key reads only one (it wins over the default).
  const [tenant, database, ...rest] = exported.source.startsWith(`${at}/`) ? exported.source.slice(at.length + 1).split('/') : [];
  if (tenant === undefined || database === undefined || rest.length > 0) return null;
  return database === source.database || source.database === DEFAULT_DATABASE ? exported : null;
}

/** The source's collection ids by name as the export recorded them; null when one is not recorded (an older checkpoint). */
export function recordedSourceIds(exported: ExportCheckpoint): Map<string, string> | null {
  const ids = new Map<string, string>();
  for (const entry of exported.finished) {
    if (entry.id === undefined) return null;
    ids.set(entry.name, entry.id);
  }
  return ids;
}
