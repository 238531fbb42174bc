import { readFileSync, existsSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { CLOUD_HOST, endpoint, isLoopbackHost, TokenHeaderSchema, type Endpoint, type TokenHeader } from './endpoint.js';
import { parseChromaUrl, urlFromParts } from './url.js';
import { MigrateError } from '../util/errors.js';

export type Env = Record<string, string | undefined>;

/**
 * The environment a command sees: the process environment over the .env file (as dotenv does:
 * a variable already set wins). Read without side effects — no banner, no process.env writes.
 */
export function loadEnv(envFile = '.env', processEnv: Env = process.env): Env {
  const fromFile = existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};
  return { ...fromFile, ...definedOnly(processEnv) };
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

export interface SourceFlags {
  sourceUrl?: string;
  sourceToken?: string;
  apiKey?: string;
  tenant?: string;
  database?: string;
  /** Send the token over plain http to another machine anyway (--insecure). */
  insecure?: boolean;
}

/**
 * Chroma Cloud's address. CHROMA_CLOUD_HOST (the Chroma clients' variable) may name another
 * host, always over HTTPS on 443 — or, for a Cloud-compatible stand-in such as a staging proxy
 * or the test suite's quota-enforcing proxy, a full URL with its own scheme and port.
 */
export function cloudUrl(host: string | undefined): string {
  if (host && host.includes('://')) return new URL(host).origin;
  return `https://${host || CLOUD_HOST}:443`;
}

/** Chroma Cloud from --api-key or CHROMA_API_KEY; any other Chroma from --source-url. */
export function resolveSource(flags: SourceFlags, env: Env): Endpoint {
  const source = sourceEndpoint(flags, env);
  refuseCleartextToken(source, flags.insecure === true);
  return source;
}

/**
 * A token sent over plain http to another machine can be read by anyone on the path: the
 * source's token or Cloud key exactly as the target's.
 */
export function refuseCleartextToken(server: Endpoint, insecure: boolean): void {
  if (server.token) refuseCleartext(server.url, 'the token', insecure, 'Use the server\'s https:// address (Railway domains are https on 443)');
}

/**
 * The same rule for any secret (an embeddings endpoint's API key too): over plain http only to
 * this machine (localhost, 127.x, ::1: Ollama, a local vLLM), elsewhere only with --insecure.
 * `https`: where the fix points first.
 */
export function refuseCleartext(address: string, secret: string, insecure: boolean, https: string): void {
  const url = new URL(address);
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname) || insecure) return;
  throw new MigrateError(
    'BAD_INPUT',
    `Refusing to send ${secret} to ${address} over plain http: anyone between you and the server could read it.`,
    `${https}, or pass --insecure if this network is private and you accept the risk.`,
  );
}

function sourceEndpoint(flags: SourceFlags, env: Env): Endpoint {
  if (flags.sourceUrl) {
    const parsed = parseChromaUrl(flags.sourceUrl);
    return endpoint({
      url: parsed.url,
      token: flags.sourceToken ?? env.CHROMA_SOURCE_TOKEN,
      tenant: flags.tenant ?? 'default_tenant',
      database: flags.database ?? 'default_database',
      source: true,
    });
  }
  const apiKey = flags.apiKey ?? env.CHROMA_API_KEY;
  if (!apiKey) {
    throw new MigrateError(
      'NEEDS_ANSWER',
      'No source to export from.',
      'Pass --api-key (or set CHROMA_API_KEY in .env) with --tenant and --database for Chroma Cloud, or --source-url for another Chroma server.',
    );
  }
  const tenant = flags.tenant ?? env.CHROMA_TENANT;
  const database = flags.database ?? env.CHROMA_DATABASE;
  return endpoint({
    url: cloudUrl(env.CHROMA_CLOUD_HOST),
    token: apiKey,
    tokenHeader: 'x-chroma-token',
    tenant,
    database,
    cloud: true,
    resolveTenant: !tenant || !database,
  });
}

export interface TargetFlags {
  url?: string;
  host?: string;
  port?: number;
  ssl?: boolean;
  token?: string;
  tokenHeader?: string;
}

export interface ResolvedTarget {
  target: Endpoint;
  /** Where the answer came from, for the user: "--url", ".env CHROMA_HOST", "default". */
  from: string;
  notes: string[];
}

/** --url or --host/--port/--ssl, else CHROMA_HOST/PORT/SSL from the environment or .env, else localhost:8000. */
export function resolveTarget(flags: TargetFlags, env: Env): ResolvedTarget {
  const token = flags.token ?? env.CHROMA_AUTH_TOKEN;
  const tokenHeader = parseTokenHeader(flags.tokenHeader ?? env.CHROMA_AUTH_TOKEN_TRANSPORT_HEADER);
  const make = (url: string, from: string, notes: string[]): ResolvedTarget => ({
    target: endpoint({ url, token, tokenHeader }),
    from,
    notes,
  });
  if (flags.url) {
    const parsed = parseChromaUrl(flags.url);
    return make(parsed.url, '--url', parsed.notes);
  }
  if (flags.host) {
    const parsed = urlFromParts(flags.host, flags.port, flags.ssl);
    return make(parsed.url, '--host', parsed.notes);
  }
  if (env.CHROMA_HOST) {
    const port = env.CHROMA_PORT ? Number(env.CHROMA_PORT) : undefined;
    const ssl = env.CHROMA_SSL === undefined ? undefined : /^(1|true|yes)$/i.test(env.CHROMA_SSL);
    const parsed = urlFromParts(env.CHROMA_HOST, port, ssl);
    return make(parsed.url, 'CHROMA_HOST', parsed.notes);
  }
  return make('http://localhost:8000', 'default (a local server from "chroma-migrate serve")', []);
}

export function parseTokenHeader(value: string | undefined): TokenHeader {
  if (!value) return 'authorization';
  const normalised = value.toLowerCase();
  const parsed = TokenHeaderSchema.safeParse(normalised === 'bearer' ? 'authorization' : normalised);
  if (parsed.success) return parsed.data;
  throw new MigrateError('BAD_INPUT', `Unknown token header "${value}".`, 'Use --token-header authorization (Bearer, the default) or --token-header x-chroma-token.');
}
