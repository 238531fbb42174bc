import { parse } from 'dotenv';
import { readEnvBytes } from '../env-file/file.js';
import { generateToken } from './token.js';
import { isDeployToken } from '../state/deploy-token.js';
import type { MigrationState } from '../state/schema.js';

/** The token deploy-guide shows, and where it came from. */
export type GuideToken =
  /**
   * `host`: the server .env already points the app at (CHROMA_HOST), which it sends this token to;
   * null while it waits for step 4. `wizards`: the wizard's step 2 made it (the state knows it).
   */
  | { token: string; from: 'env'; envFile: string; host: string | null; wizards: boolean }
  | { token: string; from: 'new' };

/**
 * The token for the proxy: the CHROMA_AUTH_TOKEN already in the app's .env when there is one
 * (the wizard keeps the token it makes there at once), a fresh one only when there is none. A
 * fresh token on every run differed from the one in .env, and the proxy set up with it then
 * refused the app and step 3 (401). Only read: the guide never writes .env.
 */
export async function guideToken(envFile: string, state: MigrationState): Promise<GuideToken> {
  const file = await readEnvBytes(envFile);
  const values = file.exists ? parse(file.bytes.toString('utf8')) : {};
  // As the app reads it: the value, not a trimmed copy the proxy would then not match.
  const kept = values.CHROMA_AUTH_TOKEN;
  if (!kept) return { token: generateToken(), from: 'new' };
  return { token: kept, from: 'env', envFile, host: values.CHROMA_HOST || null, wizards: isDeployToken(state, envFile, kept) };
}
