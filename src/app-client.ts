import { ChromaClient, CloudClient } from 'chromadb';
import { urlFromParts } from './core/chroma/url.js';
import { parseTokenHeader, type Env } from './core/chroma/connection.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from './core/chroma/endpoint.js';

/**
 * The rule an app follows after the migration, exported for apps to import:
 * CHROMA_HOST set → the self-hosted server over HTTP(S), in CHROMA_HOST_TENANT and
 * CHROMA_HOST_DATABASE when set (env set writes them when the data is not in the default ones);
 * otherwise → Chroma Cloud.
 */
export function createChromaClient(env: Env = process.env): ChromaClient {
  if (env.CHROMA_HOST) {
    const { host, port, ssl } = urlFromParts(
      env.CHROMA_HOST,
      env.CHROMA_PORT ? Number(env.CHROMA_PORT) : undefined,
      env.CHROMA_SSL === undefined ? undefined : /^(1|true|yes)$/i.test(env.CHROMA_SSL),
    );
    const token = env.CHROMA_AUTH_TOKEN;
    const header = parseTokenHeader(env.CHROMA_AUTH_TOKEN_TRANSPORT_HEADER);
    const headers: Record<string, string> = {};
    if (token) {
      if (header === 'x-chroma-token') headers['x-chroma-token'] = token;
      else headers.authorization = `Bearer ${token}`;
    }
    const tenant = env.CHROMA_HOST_TENANT || DEFAULT_TENANT;
    const database = env.CHROMA_HOST_DATABASE || DEFAULT_DATABASE;
    return new ChromaClient({ host, port, ssl, headers, tenant, database });
  }
  return new CloudClient({ apiKey: env.CHROMA_API_KEY, tenant: env.CHROMA_TENANT, database: env.CHROMA_DATABASE });
}
