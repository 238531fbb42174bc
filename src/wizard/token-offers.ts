import { isLoopbackHost } from '../core/chroma/endpoint.js';

export interface TokenOffer {
  label: string;
  value: 'deploy' | 'env' | 'type' | 'none';
}

/**
 * The choices at "Token for URL", first one preselected. A token is only first for the server
 * it was made for: .env's CHROMA_AUTH_TOKEN for the server .env names, step 2's token for a
 * deployed (not local) server. After looking at Railway, a localhost server no longer defaults
 * to the Railway token; it defaults to no token. Tokens made for elsewhere stay on the list, last.
 */
export function tokenOffers(url: string, known: { deployToken?: string; envToken?: string; envUrl?: string }): TokenOffer[] {
  const local = isLoopbackHost(new URL(url).hostname);
  const deploy: TokenOffer | null = known.deployToken ? { label: 'Use the token generated in step 2', value: 'deploy' } : null;
  // Step 2's token waits in .env until step 4: one token, offered once, as step 2's.
  const env: TokenOffer | null = known.envToken && known.envToken !== known.deployToken ? { label: 'Use CHROMA_AUTH_TOKEN from .env', value: 'env' } : null;
  const envFits = env !== null && known.envUrl === url;
  const deployFits = deploy !== null && !local;
  const fitting = [envFits ? env : null, deployFits ? deploy : null].filter((offer): offer is TokenOffer => offer !== null);
  const others = [envFits ? null : env, deployFits ? null : deploy]
    .filter((offer): offer is TokenOffer => offer !== null)
    .map((offer) => ({ ...offer, label: `${offer.label} (made for another server)` }));
  const none: TokenOffer = { label: local ? 'No token (a server on this machine)' : 'No token', value: 'none' };
  const type: TokenOffer = { label: 'Type another token', value: 'type' };
  return [...fitting, ...(local ? [none, type] : [type, none]), ...others];
}
