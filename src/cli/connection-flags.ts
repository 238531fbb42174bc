import { loadEnv, refuseCleartextToken, resolveSource, resolveTarget, type Env, type ResolvedTarget } from '../core/chroma/connection.js';
import type { Endpoint } from '../core/chroma/endpoint.js';
import { intOption, type OptionSpec } from './args.js';

export const TARGET_OPTIONS = {
  url: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  ssl: { type: 'boolean' },
  token: { type: 'string' },
  'token-header': { type: 'string' },
  insecure: { type: 'boolean' },
} as const satisfies OptionSpec;

export const TARGET_HELP = `Target (the self-hosted server):
  --url URL             https://host[:port], host:port or a bare host
  --host H --port N --ssl   the same in parts
  --token T             sent as "Authorization: Bearer T" (prefer CHROMA_AUTH_TOKEN in .env:
                        a flag is visible in your shell history and in ps)
  --token-header H      authorization (default) or x-chroma-token
  --insecure            allow sending the token over plain http:// to another machine
  Without these: CHROMA_HOST, CHROMA_PORT, CHROMA_SSL, CHROMA_AUTH_TOKEN from the
  environment or .env; otherwise http://localhost:8000 (chroma-migrate serve).`;

export const SOURCE_OPTIONS = {
  'api-key': { type: 'string' },
  tenant: { type: 'string' },
  database: { type: 'string' },
  'source-url': { type: 'string' },
  'source-token': { type: 'string' },
  insecure: { type: 'boolean' },
} as const satisfies OptionSpec;

export const SOURCE_HELP = `Source:
  --api-key K --tenant T --database D   Chroma Cloud (or CHROMA_API_KEY, CHROMA_TENANT,
                        CHROMA_DATABASE from the environment or .env)
  --source-url URL [--source-token T]   any other Chroma server instead
  --insecure            allow sending the source's token over plain http:// to another machine`;

export function envFor(values: { 'env-file'?: string }, processEnv: Env): Env {
  return loadEnv(values['env-file'] ?? '.env', processEnv);
}

export function targetFrom(
  values: { url?: string; host?: string; port?: string; ssl?: boolean; token?: string; 'token-header'?: string; insecure?: boolean },
  env: Env,
): ResolvedTarget {
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
  return resolved;
}

export function sourceFrom(
  values: { 'api-key'?: string; tenant?: string; database?: string; 'source-url'?: string; 'source-token'?: string; insecure?: boolean },
  env: Env,
): Endpoint {
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
