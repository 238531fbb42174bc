import type { Endpoint } from '../../core/chroma/endpoint.js';
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

/** The source the flags name: a server, Chroma Cloud, or a data folder served for the run. */
export async function openSource(values: SourceValues, env: Env, onProgress: ProgressListener): Promise<OpenedSource> {
  const folder = values['source-path'];
  if (folder === undefined) return { source: sourceFrom(values, env), unread: [], close: async () => undefined };
  if (values['source-url'] !== undefined || values['api-key'] !== undefined) {
    throw new MigrateError('USAGE', '--source-path reads a data folder; it cannot be combined with --source-url or --api-key.', 'Pick one source.');
  }
  if (values.out !== undefined) await refuseOutInside(folder, values.out);
  const opened = await openFolderSource(folder, { tenant: values.tenant, database: values.database, onProgress });
  return { source: opened.endpoint, unread: opened.otherTenants.length > 0 ? [describeOtherTenants(opened.otherTenants)] : [], close: opened.close };
}
