/**
 * Where one of our backups was taken, from its first line alone: rotation and import ask this of
 * files that may be gigabytes, and the header is all they need.
 */
import { openSource, readChunks } from '../byte-source.js';

export interface BackupOrigin {
  /** The server's URL; for a data folder (served from a copy on a passing port), the folder's path. */
  url: string;
  tenant: string;
  /** The databases it holds: the one of a single-database file, or each of a several-database one. */
  databases: string[];
}

/** Longer than any header we write; a first line past it is not ours. */
const LIMIT = 1 << 16;

/** The origin a backup of ours records in its header, or null when it records none (or is not ours). */
export async function backupOrigin(path: string, signal?: AbortSignal): Promise<BackupOrigin | null> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of readChunks(await openSource(path, signal))) {
      const end = chunk.indexOf(0x0a);
      parts.push(end === -1 ? chunk : chunk.subarray(0, end));
      size += chunk.length;
      if (end !== -1 || size >= LIMIT) break;
    }
    const header = JSON.parse(Buffer.concat(parts).toString('utf8')) as { format?: unknown; source?: Record<string, unknown> };
    return header.format === 'chroma-migrate-backup' ? originOf(header.source) : null;
  } catch (error) {
    if (signal?.aborted) throw error;
    return null;
  }
}

function originOf(source: Record<string, unknown> | undefined): BackupOrigin | null {
  if (typeof source?.url !== 'string' || typeof source.tenant !== 'string') return null;
  const url = typeof source.folder === 'string' ? source.folder : source.url;
  const databases = Array.isArray(source.databases) ? source.databases.filter((name): name is string => typeof name === 'string') : typeof source.database === 'string' ? [source.database] : [];
  return databases.length > 0 ? { url, tenant: source.tenant, databases } : null;
}

/** Whether this database of that server is where the backup (its collections of `database`) was taken. */
export function takenFrom(origin: BackupOrigin | null, at: { url: string; tenant: string; database: string }, database?: string): boolean {
  if (origin === null || !sameUrl(origin.url, at.url) || origin.tenant !== at.tenant) return false;
  return (database ?? (origin.databases.length === 1 ? origin.databases[0] : undefined)) === at.database;
}

/** One server, one tenant, and a database in common: the same data, backed up again. */
export function sameOrigin(a: BackupOrigin, b: BackupOrigin): boolean {
  return sameUrl(a.url, b.url) && a.tenant === b.tenant && a.databases.some((name) => b.databases.includes(name));
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}
