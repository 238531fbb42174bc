/**
 * export = a Chroma server → a backup file (the server source pumps its pages into the backup
 * writer). With `databases`, several databases of the tenant go into one file: each is exported
 * alone into a part (its own checkpoint, so an interrupted run continues with the database it
 * was in), then the parts are written as one file whose collection lines name their database.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ChromaApi } from '../chroma/api.js';
import { sourceKeys } from '../chroma/endpoint.js';
import { retryExplained } from '../chroma/explain.js';
import { databasePart } from '../backup/database-files.js';
import { mergeDatabaseFiles } from '../backup/jsonl/merge.js';
import { exportCollections as exportOneDatabase, resolveTenant, type ExportOptions, type ExportResult } from '../sources/server/export-pump.js';
import { claimOut, writtenBySameDatabasesExport } from '../state/replace-out.js';
import { StateStore } from '../state/store.js';
import { MigrateError } from '../util/errors.js';
import { inQuotes } from '../util/format.js';
import { describeTakeOver, lockFile } from '../util/file-lock.js';
import { checkWritablePath } from '../util/out-path.js';
import { ignoreProgress } from '../util/progress.js';
import { shown } from '../util/format.js';

export interface ExportDatabasesOptions extends ExportOptions {
  /** These databases of the source's tenant, into one file; absent: the source's one database, as before. */
  databases?: string[];
}

export async function exportCollections(options: ExportDatabasesOptions): Promise<ExportResult> {
  if (options.databases === undefined) return exportOneDatabase(options);
  if (options.databases.length === 0) throw new MigrateError('BAD_INPUT', 'No database was chosen to export.', 'Pick at least one database.');
  const out = resolve(options.out);
  const partial = `${out}.partial`;
  await checkWritablePath(out);
  await checkWritablePath(partial);
  // One run per file, as a single-database export: a second stops at once, naming the first.
  const lock = await lockFile(partial, { command: options.sink ? 'copy' : 'export' });
  if (lock.tookOverFrom) options.onProgress?.({ type: 'warning', message: describeTakeOver(partial, lock.tookOverFrom) });
  try {
    return await exportDatabases({ ...options, databases: options.databases }, out);
  } finally {
    await lock.release();
  }
}

async function exportDatabases(options: ExportDatabasesOptions & { databases: string[] }, out: string): Promise<ExportResult> {
  const progress = options.onProgress ?? ignoreProgress;
  // Resolved without a database: a Chroma Cloud key may read several, and these are wanted.
  const tenant = await resolveTenant({ ...options.source, database: options.source.resolveTenant ? '*' : options.source.database }, options.signal);
  const store = await StateStore.open(options.statePath);
  const namesIn = async (database: string) => (options.databases.includes(database) ? collectionNames({ ...tenant, database, resolveTenant: false }, options.collections, options.signal) : null);
  await claimOut(out, () => writtenBySameDatabasesExport(store.current.exports, out, sourceKeys(tenant), namesIn), options);
  await mkdir(`${out}.databases`, { recursive: true });
  const parts: Array<{ database: string; path: string }> = [];
  let resumed = false;
  const withheld: ExportResult['withheld'] = [];
  for (const [index, database] of options.databases.entries()) {
    const source = { ...tenant, database, resolveTenant: false };
    const collections = await present(source, options.collections, options.signal);
    if (collections === null) continue;
    if (collections?.length === 0) {
      progress({ type: 'warning', message: `Database ${inQuotes(database)} holds no collections: nothing of it goes into the backup.` });
      continue;
    }
    const path = databasePart(out, database);
    parts.push({ database, path });
    progress({ type: 'phase', message: `Database ${database} (${index + 1} of ${options.databases.length})` });
    if (await finishedEarlier(options.statePath, path)) {
      resumed = true;
      continue;
    }
    const result = await exportOneDatabase({ ...options, source, out: path, collections });
    resumed ||= result.resumed;
    withheld.push(...result.withheld.map((entry) => ({ ...entry, collection: `${database}/${entry.collection}` })));
  }
  if (parts.length === 0) {
    if (options.collections && options.collections.length > 0) throw new MigrateError('NOT_FOUND', `No database of the source holds ${options.collections.map(shown).join(', ')}.`, 'Check the collection names.');
    throw new MigrateError('NOT_FOUND', `No database of the source holds any collection: nothing to export, no file written.`, 'Check the tenant and the key (or CHROMA_TENANT in .env).');
  }
  progress({ type: 'phase', message: `Writing ${options.out}: ${parts.length} database${parts.length === 1 ? '' : 's'} in one file` });
  const partial = `${out}.partial`;
  const written = await mergeDatabaseFiles(parts, partial, { url: tenant.url, tenant: tenant.tenant, cloud: tenant.cloud, ...(tenant.folder ? { folder: tenant.folder.path } : {}) }, options.signal);
  await rename(partial, out);
  await rm(`${out}.databases`, { recursive: true, force: true });
  await (await StateStore.open(options.statePath)).update((saved) => ({ ...saved, backupPath: out }));
  return { out, resumed, withheld, collections: written };
}

/** The names of the database's collections an export takes (those asked for, or all). */
export async function collectionNames(source: Parameters<typeof resolveTenant>[0], wanted: string[] | undefined, signal?: AbortSignal): Promise<string[]> {
  const api = new ChromaApi(source);
  const all = (await retryExplained(source, () => api.allCollections({ signal }), { signal })).map((info) => info.name);
  return wanted && wanted.length > 0 ? all.filter((name) => wanted.includes(name)) : all;
}

/**
 * The names asked for that this database holds (null: none of them; undefined: all of its
 * collections, [] when it has none). A name need not be in every database.
 */
async function present(source: Parameters<typeof resolveTenant>[0], wanted: string[] | undefined, signal?: AbortSignal): Promise<string[] | undefined | null> {
  const api = new ChromaApi(source);
  const all = await retryExplained(source, () => api.allCollections({ signal }), { signal });
  if (!wanted || wanted.length === 0) return all.length > 0 ? undefined : [];
  const held = wanted.filter((name) => all.some((info) => info.name === name));
  return held.length > 0 ? held : null;
}

/** A database whose part an earlier, interrupted run finished: not read again. */
async function finishedEarlier(statePath: string, path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const store = await StateStore.open(statePath);
  return store.current.exports.some((entry) => entry.out === path && entry.done);
}
