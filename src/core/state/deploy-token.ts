import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { MigrationState } from './schema.js';

/**
 * The token step 2 made is kept in the app's .env, never in the state: the state notes only which
 * .env holds it and a digest to know it by (the first 64 bits of its SHA-256; the token is 32
 * random bytes, so the digest tells nothing of it). A CHROMA_AUTH_TOKEN in .env is step 2's only
 * when its digest is noted: one put there for another reason is not offered as the server's.
 */
function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

/** Whether `token`, found in the .env at `dotenv`, is the one step 2 made and put there. */
export function isDeployToken(state: MigrationState, dotenv: string, token: string): boolean {
  const digest = tokenDigest(token);
  return state.deployTokens.some((kept) => kept.dotenv === resolve(dotenv) && kept.digest === digest);
}

/** The state with step 2's token noted as kept in the .env at `dotenv`. */
export function withDeployToken(state: MigrationState, dotenv: string, token: string, now = new Date()): Pick<MigrationState, 'deployTokens'> {
  if (isDeployToken(state, dotenv, token)) return { deployTokens: state.deployTokens };
  return { deployTokens: [...state.deployTokens, { dotenv: resolve(dotenv), digest: tokenDigest(token), at: now.toISOString() }] };
}
