import { DEFAULT_TENANT, type Endpoint } from '../../core/chroma/endpoint.js';
import { inQuotes, shellWord } from '../../core/util/format.js';
import type { Env } from '../../core/chroma/connection.js';
import { openFolderSource } from '../../core/sources/folder/open.js';
import { refuseOutInside } from '../../core/sources/folder/out-inside.js';
import { describeOtherTenants } from '../../core/sources/folder/tenants.js';
import { MigrateError } from '../../core/util/errors.js';
import type { ProgressListener } from '../../core/util/progress.js';
import { sourceFrom } from '../connection-flags.js';

type SourceValues = Parameters<typeof sourceFrom>[0] & { 'source-path'?: string; out?: string };

export interface OpenedSource {
  source: Endpoint;
  /** What the run leaves unread of the source, in words (a data folder's other tenants), for its last lines. */
  unread: string[];
  /** Stops what was started for the source (a data folder's server and copy); safe to call twice. */
  close(): Promise<void>;
}

/**
 * The source the flags name: a server, Chroma Cloud, or a data folder served for the run.
 * `toTarget`: the run has a target (copy, sync, verify), so a folder's other tenants are named
 * with a --target-tenant of their own.
 */
export async function openSource(values: SourceValues, env: Env, onProgress: ProgressListener, toTarget = false): Promise<OpenedSource> {
  const folder = values['source-path'];
  if (folder === undefined) return { source: servedHere(sourceFrom(values, env)), unread: [], close: async () => undefined };
  if (values['source-url'] !== undefined || values['api-key'] !== undefined) {
    throw new MigrateError('USAGE', '--source-path reads a data folder; it cannot be combined with --source-url or --api-key.', 'Pick one source.');
  }
  if (values.out !== undefined) await refuseOutInside(folder, values.out);
  const opened = await openFolderSource(folder, { tenant: values.tenant, database: values.database, toTarget, onProgress });
  const { url, folder: served } = opened.endpoint;
  if (served) SERVED.set(url, served);
  const close = async () => {
    SERVED.delete(url);
    await opened.close();
  };
  return { source: opened.endpoint, unread: opened.otherTenants.length > 0 ? [describeOtherTenants(opened.otherTenants, toTarget)] : [], close };
}

/**
 * The data folders this process serves, by their server's URL. --all-databases runs the command
 * once per database, in this process, with --source-url of the folder's server: each run then
 * still names its source by the folder, so a run after a kill resumes on whatever port it gets.
 */
const SERVED = new Map<string, NonNullable<Endpoint['folder']>>();

function servedHere(source: Endpoint): Endpoint {
  const folder = SERVED.get(source.url);
  return folder ? { ...source, folder } : source;
}

/**
 * A run that writes a source's tenant other than the default into the target's default tenant
 * (no --target-tenant): there it joins what is already there, and a second tenant run the same
 * way would mix its records into the first's collections of the same names. Said before any
 * write; a collection there that holds records is still asked about as --if-exists says.
 */
export function sharedTenantNote(source: Endpoint, targetTenantGiven: boolean): string | null {
  // A Chroma Cloud key reads its one tenant, whose name is its own: the default tenant is its place.
  if (source.cloud || targetTenantGiven || source.tenant === DEFAULT_TENANT) return null;
  return `This run writes the source's tenant ${inQuotes(source.tenant)} into the target's default tenant (${DEFAULT_TENANT}), beside what is there. To keep tenants apart on the target, add --target-tenant ${shellWord(source.tenant)}.`;
}
