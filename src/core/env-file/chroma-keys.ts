import type { ParsedUrl } from '../chroma/url.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type TargetPlace, type TokenHeader } from '../chroma/endpoint.js';

/**
 * What an app reads to reach the self-hosted server (createChromaClient in app-client.ts).
 * The Cloud keys (CHROMA_API_KEY, CHROMA_TENANT, CHROMA_DATABASE) are never among them: they
 * stay in the file as the fallback that rollback returns to. So the server's own tenant and
 * database have keys of their own, CHROMA_HOST_TENANT and CHROMA_HOST_DATABASE.
 */
export const SELF_HOSTED_KEYS = ['CHROMA_HOST', 'CHROMA_PORT', 'CHROMA_SSL', 'CHROMA_AUTH_TOKEN', 'CHROMA_AUTH_TOKEN_TRANSPORT_HEADER', 'CHROMA_HOST_TENANT', 'CHROMA_HOST_DATABASE'] as const;

/** The keys that name where on the server the data is. */
export const PLACE_KEYS = ['CHROMA_HOST_TENANT', 'CHROMA_HOST_DATABASE'] as const;

/** Spelled as the Python 0.x server's CHROMA_AUTH_TOKEN_TRANSPORT_HEADER expects; our own reader ignores case. */
const HEADER_SPELLING: Record<TokenHeader, string> = { authorization: 'Authorization', 'x-chroma-token': 'X-Chroma-Token' };

export interface SelfHostedValues {
  token?: string;
  tokenHeader?: TokenHeader;
  place?: TargetPlace;
}

export function selfHostedEnv(target: Pick<ParsedUrl, 'host' | 'port' | 'ssl'>, { token, tokenHeader, place = {} }: SelfHostedValues = {}): Record<string, string> {
  const values: Record<string, string> = {
    CHROMA_HOST: target.host,
    CHROMA_PORT: String(target.port),
    CHROMA_SSL: target.ssl ? 'true' : 'false',
  };
  if (token) values.CHROMA_AUTH_TOKEN = token;
  if (tokenHeader) values.CHROMA_AUTH_TOKEN_TRANSPORT_HEADER = HEADER_SPELLING[tokenHeader];
  // Only a place other than the default is written: every client starts there without being told.
  if (place.tenant && place.tenant !== DEFAULT_TENANT) values.CHROMA_HOST_TENANT = place.tenant;
  if (place.database && place.database !== DEFAULT_DATABASE) values.CHROMA_HOST_DATABASE = place.database;
  return values;
}
