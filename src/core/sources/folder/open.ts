/**
 * A Chroma data folder as a source: checked, copied to a temporary folder, served there by the
 * bundled server on a free loopback port, and read like any server. `close` stops the server and
 * deletes the copy. The folder itself is only read (its files stay byte-identical).
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { endpoint, type Endpoint } from '../../chroma/endpoint.js';
import { listDatabases } from '../../chroma/databases.js';
import { ChromaApi } from '../../chroma/api.js';
import { portIsTaken, startChromaServer, type RunningServer } from '../../local-server/chroma-server.js';
import { MigrateError } from '../../util/errors.js';
import { ignoreProgress, type ProgressListener } from '../../util/progress.js';
import { formatBytes } from './bytes.js';
import { sweepAbandonedCopies } from './abandoned.js';
import { copyFolder, copyParents, type FolderCopy } from './copy.js';
import { inspectFolder, SQLITE_FILE } from './inspect.js';
import { processesHolding, processName } from './in-use.js';
import { explainStartFailure } from './start-failure.js';
import { describeOtherTenants, otherTenants, tenantNames, type OtherTenant } from './tenants.js';
import { shown } from '../../util/format.js';

export interface FolderSource {
  endpoint: Endpoint;
  /** The folder's tenants besides the one read that hold collections (tenants.ts), already said as a warning. */
  otherTenants: OtherTenant[];
  /** Stops the server and deletes the copy; safe to call twice. */
  close(): Promise<void>;
}

export interface FolderSourceOptions {
  tenant?: string;
  database?: string;
  /** The run has a target: the other tenants are named with a --target-tenant of their own. */
  toTarget?: boolean;
  onProgress?: ProgressListener;
  /** Another chromadb package's CLI (tests); default: the bundled server. */
  cliPath?: string;
  startTimeoutMs?: number;
}

export async function openFolderSource(folder: string, options: FolderSourceOptions = {}): Promise<FolderSource> {
  const progress = options.onProgress ?? ignoreProgress;
  const dir = resolve(folder);
  const contents = await inspectFolder(dir);
  await refuseInUse(dir);
  await sweepAbandonedCopies(copyParents(dir));
  progress({ type: 'phase', message: `Copying ${dir} (${formatBytes(contents.bytes)}) to a temporary folder: serving it in place would change it` });
  const copy = await copyFolder(dir, contents);
  let server: RunningServer | null = null;
  const close = async () => {
    await server?.stop();
    server = null;
    await rm(copy.root, { recursive: true, force: true });
  };
  try {
    // Read before the server starts: it writes the file on every start.
    const tenants = await tenantNames(join(copy.data, SQLITE_FILE));
    server = await startOnCopy(dir, copy, options);
    const folder = { path: dir, formerUrl: `http://localhost:${usualPort(dir)}` };
    const source = endpoint({ url: server.url, tenant: options.tenant ?? 'default_tenant', database: options.database ?? 'default_database', source: true, folder });
    const others = tenants === null ? [] : await otherTenants(tenants, source);
    await refuseEmpty(dir, source, others, options.toTarget);
    progress({ type: 'phase', message: `Serving the copy of ${dir} at ${server.url}` });
    if (others.length > 0) progress({ type: 'warning', message: describeOtherTenants(others, options.toTarget) });
    return { endpoint: source, close, otherTenants: others };
  } catch (error) {
    await close();
    throw error;
  }
}

async function refuseInUse(dir: string): Promise<void> {
  const holders = await processesHolding(join(dir, SQLITE_FILE));
  if (holders.length === 0) return;
  const names = await Promise.all(holders.map(async (pid) => `${(await processName(pid)) ?? 'a process'} (pid ${pid})`));
  throw new MigrateError(
    'BAD_INPUT',
    `${dir} is in use: ${names.join(', ')} has ${SQLITE_FILE} open. Chroma takes no lock, so a copy made now could be torn mid-write.`,
    'Stop the app or Chroma server that uses this folder (or read from that server with --source-url instead), then run the command again.',
  );
}

async function startOnCopy(dir: string, copy: FolderCopy, options: FolderSourceOptions): Promise<RunningServer> {
  const logFile = join(copy.root, 'server.log');
  try {
    const port = await stablePort(dir);
    return await startChromaServer({ path: copy.data, port, logFile, cliPath: options.cliPath, startTimeoutMs: options.startTimeoutMs ?? 60_000 });
  } catch (error) {
    throw await explainStartFailure(dir, logFile, error);
  }
}

/**
 * The same folder is served on the same port from run to run when it is free. Runs name the
 * folder by its path (Endpoint.folder); versions before named it by this address.
 */
async function stablePort(dir: string): Promise<number> {
  const port = usualPort(dir);
  return (await portIsTaken(port)) ? 0 : port;
}

function usualPort(dir: string): number {
  let hash = 0;
  for (const char of dir) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 20_000 + (hash % 20_000);
}

/**
 * The server also "opens" another program's SQLite file, making an empty Chroma database in it:
 * no collection in any database means there is nothing to read, said so rather than an empty export.
 */
async function refuseEmpty(dir: string, source: Endpoint, others: OtherTenant[], toTarget: boolean | undefined): Promise<void> {
  for (const database of await listDatabases(source)) {
    const collections = await new ChromaApi({ ...source, database: database.name }).listCollections({ limit: 1, offset: 0 });
    if (collections.length > 0) return;
  }
  if (others.length > 0) {
    throw new MigrateError('NOT_FOUND', `${dir} holds no Chroma collections in tenant ${shown(source.tenant)} (every database).`, describeOtherTenants(others, toTarget));
  }
  throw new MigrateError(
    'NOT_FOUND',
    `${dir} holds no Chroma collections (tenant ${shown(source.tenant)}, every database): there is nothing to read.`,
    `Check it is the folder your app writes to (the path given to PersistentClient, or the server's persist path) and that ${SQLITE_FILE} there is Chroma's.`,
  );
}
