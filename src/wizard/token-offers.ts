import { isLoopbackHost } from '../core/chroma/endpoint.js';

export interface TokenOffer {
  label: string;
  value: 'deploy' | 'env' | 'type' | 'none';
}

export interface TokenOffers {
  offers: TokenOffer[];
  /** Whether the first offer is focused, so that Enter alone takes it. */
  preselect: boolean;
}

/**
 * The choices at "Token for URL", the first one preselected when it fits. A token is only first
 * for the server it was made for: .env's CHROMA_AUTH_TOKEN for the server .env names, step 2's
 * token for a deployed (not local) server. After looking at Railway, a localhost server no longer
 * defaults to the Railway token; it defaults to no token. Tokens made for elsewhere stay on the
 * list, last. A CHROMA_AUTH_TOKEN in .env with no CHROMA_HOST that is not step 2's (the caller
 * knows step 2's from the state) was put there for a reason this wizard does not know: offered
 * as what it is, and while the first choice would be to type a token, which step 4 then writes
 * over it, nothing is focused, so Enter alone cannot choose that.
 */
export function tokenOffers(url: string, known: { deployToken?: string; envToken?: string; envUrl?: string }): TokenOffers {
  const local = isLoopbackHost(new URL(url).hostname);
  const deploy: TokenOffer | null = known.deployToken ? { label: 'Use the token generated in step 2', value: 'deploy' } : null;
  // Step 2's token waits in .env until step 4: one token, offered once, as step 2's.
  const envToken = known.envToken && known.envToken !== known.deployToken ? known.envToken : undefined;
  const unexplained = envToken !== undefined && known.envUrl === undefined;
  const env: TokenOffer | null = envToken === undefined ? null : { label: 'Use CHROMA_AUTH_TOKEN from .env', value: 'env' };
  const envFits = env !== null && known.envUrl === url;
  const deployFits = deploy !== null && !local;
  const fitting = [envFits ? env : null, deployFits ? deploy : null].filter((offer): offer is TokenOffer => offer !== null);
  const others = [envFits ? null : env, deployFits ? null : deploy]
    .filter((offer): offer is TokenOffer => offer !== null)
    .map((offer) => ({ ...offer, label: `${offer.label} (${offer.value === 'env' && unexplained ? 'not one this wizard made' : 'made for another server'})` }));
  const none: TokenOffer = { label: local ? 'No token (a server on this machine)' : 'No token', value: 'none' };
  const type: TokenOffer = { label: 'Type another token', value: 'type' };
  const offers = [...fitting, ...(local ? [none, type] : [type, none]), ...others];
  return { offers, preselect: !(unexplained && offers[0]?.value === 'type') };
}
