import type { ParsedUrl } from '../chroma/url.js';
import type { TokenHeader } from '../chroma/endpoint.js';

/**
 * What an app reads to reach the self-hosted server (createChromaClient in core/connection.ts).
 * The Cloud keys (CHROMA_API_KEY, CHROMA_TENANT, CHROMA_DATABASE) are never among them: they
 * stay in the file as the fallback that rollback returns to.
 */
export const SELF_HOSTED_KEYS = ['CHROMA_HOST', 'CHROMA_PORT', 'CHROMA_SSL', 'CHROMA_AUTH_TOKEN', 'CHROMA_AUTH_TOKEN_TRANSPORT_HEADER'] as const;

/** Spelled as the Python 0.x server's CHROMA_AUTH_TOKEN_TRANSPORT_HEADER expects; our own reader ignores case. */
const HEADER_SPELLING: Record<TokenHeader, string> = { authorization: 'Authorization', 'x-chroma-token': 'X-Chroma-Token' };

export function selfHostedEnv(target: Pick<ParsedUrl, 'host' | 'port' | 'ssl'>, token?: string, tokenHeader?: TokenHeader): Record<string, string> {
  const values: Record<string, string> = {
    CHROMA_HOST: target.host,
    CHROMA_PORT: String(target.port),
    CHROMA_SSL: target.ssl ? 'true' : 'false',
  };
  if (token) values.CHROMA_AUTH_TOKEN = token;
  if (tokenHeader) values.CHROMA_AUTH_TOKEN_TRANSPORT_HEADER = HEADER_SPELLING[tokenHeader];
  return values;
}
