import { refuseCleartextToken, resolveSource, resolveTarget, type Env, type ResolvedTarget } from '../core/chroma/connection.js';
import type { Endpoint } from '../core/chroma/endpoint.js';
import { intOption, type Flags } from './args.js';

export const TARGET_FLAGS = {
  url: { type: 'string', arg: 'URL', group: 'target', help: 'https://host[:port], host:port or a bare host' },
  host: { type: 'string', arg: 'H', group: 'target', help: 'the host alone (with --port and --ssl: the address in parts)' },
  port: { type: 'string', arg: 'N', group: 'target', help: 'the port' },
  ssl: { type: 'boolean', group: 'target', help: 'use https' },
  token: {
    type: 'string',
    arg: 'T',
    group: 'target',
    help: 'sent as "Authorization: Bearer T" (prefer CHROMA_AUTH_TOKEN in .env: a flag is visible in your shell history and in ps)',
  },
  'token-header': { type: 'string', arg: 'H', group: 'target', help: 'authorization (default) or x-chroma-token' },
  insecure: { type: 'boolean', group: 'target', help: 'allow sending a token over plain http:// to another machine' },
  'target-database': { type: 'string', arg: 'D', group: 'target', help: 'the database on the target (default default_database; a run that writes creates it when missing)' },
  'target-tenant': {
    type: 'string',
    arg: 'T',
    group: 'target',
    help: "the tenant on the target (default default_tenant; a run that writes creates it when missing): give a source's other tenant one of its own, or its collections join those of the same name already there",
  },
} as const satisfies Flags;

/** Every way to name the source: Chroma Cloud's keys, another server, or a data folder (sources/source-path.ts). */
export const SOURCE_FLAGS = {
  'api-key': { type: 'string', arg: 'K', group: 'source', help: 'Chroma Cloud API key (or CHROMA_API_KEY from the environment or .env)' },
  tenant: {
    type: 'string',
    arg: 'T',
    group: 'source',
    help: "the source's tenant: on Chroma Cloud (or CHROMA_TENANT; else read from the key), another server or a data folder (default default_tenant there); a folder's other tenants are named when it is read",
  },
  database: { type: 'string', arg: 'D', group: 'source', help: "the source's database: on Chroma Cloud (or CHROMA_DATABASE), another server or a data folder (default default_database there)" },
  'source-url': { type: 'string', arg: 'URL', group: 'source', help: 'any other Chroma server instead of Chroma Cloud' },
  'source-token': { type: 'string', arg: 'T', group: 'source', help: "that server's token (or CHROMA_SOURCE_TOKEN)" },
  insecure: { type: 'boolean', group: 'source', help: "allow sending the source's token over plain http:// to another machine" },
  'source-path': {
    type: 'string',
    arg: 'DIR',
    group: 'source',
    help: 'a Chroma data folder instead (the one that holds chroma.sqlite3): copied to a temporary folder and served from there by the bundled server, so DIR itself is never changed',
  },
} as const satisfies Flags;

/** Titles and notes of the shared flag groups in --help. */
export const CONNECTION_GROUPS = {
  target: {
    title: 'Target (the self-hosted server)',
    note: 'Without these: CHROMA_HOST, CHROMA_PORT, CHROMA_SSL, CHROMA_AUTH_TOKEN from the environment or .env; otherwise http://localhost:8000 (chroma-migrate serve).',
  },
  source: { title: 'Source' },
};

export type TargetValues = { url?: string; host?: string; port?: string; ssl?: boolean; token?: string; 'token-header'?: string; insecure?: boolean; 'target-database'?: string; 'target-tenant'?: string };
export type SourceValues = { 'api-key'?: string; tenant?: string; database?: string; 'source-url'?: string; 'source-token'?: string; insecure?: boolean };

export function targetFrom(values: TargetValues, env: Env): ResolvedTarget {
  const resolved = resolveTarget(
    {
      url: values.url,
      host: values.host,
      port: intOption('port', values.port, { max: 65_535 }),
      ssl: values.ssl,
      token: values.token,
      tokenHeader: values['token-header'],
    },
    env,
  );
  refuseCleartextToken(resolved.target, values.insecure === true);
  const database = values['target-database'];
  const tenant = values['target-tenant'];
  return { ...resolved, target: { ...resolved.target, ...(database ? { database } : {}), ...(tenant ? { tenant } : {}) } };
}

export function sourceFrom(values: SourceValues, env: Env): Endpoint {
  return resolveSource(
    {
      apiKey: values['api-key'],
      tenant: values.tenant,
      database: values.database,
      sourceUrl: values['source-url'],
      sourceToken: values['source-token'],
      insecure: values.insecure,
    },
    env,
  );
}
