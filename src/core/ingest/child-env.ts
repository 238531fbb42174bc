import type { Endpoint } from '../chroma/endpoint.js';
import { parseChromaUrl } from '../chroma/url.js';
import { selfHostedEnv, SELF_HOSTED_KEYS } from '../env-file/chroma-keys.js';

export type ChildEnv = Record<string, string>;

/** What would let a script reach Chroma Cloud. */
const CLOUD_KEYS = ['CHROMA_API_KEY', 'CHROMA_TENANT', 'CHROMA_DATABASE', 'CHROMA_CLOUD_HOST'] as const;

/**
 * The environment the user's ingestion command runs with: the caller's environment, the
 * target's CHROMA_* on top, and the Cloud keys emptied — so a script that prefers Cloud when
 * CHROMA_API_KEY is set cannot write there by accident.
 *
 * The token travels only here, never on the command line (where `ps` would show it).
 */
export function childEnv(base: Record<string, string | undefined>, target: Endpoint): ChildEnv {
  const env: ChildEnv = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  // Stale self-hosted values from the caller's shell must not mix with the target's.
  for (const key of SELF_HOSTED_KEYS) delete env[key];
  const { host, port, ssl } = parseChromaUrl(target.url);
  Object.assign(env, selfHostedEnv({ host, port, ssl }, { token: target.token, tokenHeader: target.token ? target.tokenHeader : undefined }));
  // The tenant and database it counts in, the default ones too: a script that loads .env would
  // otherwise take its place from there, where the counts may not be.
  env.CHROMA_HOST_TENANT = target.tenant;
  env.CHROMA_HOST_DATABASE = target.database;
  // Present but empty, not absent: dotenv (Python's load_dotenv, Node's config) never overrides a
  // variable that is set, so a script that loads .env still cannot pick up the Cloud key from it.
  for (const key of CLOUD_KEYS) env[key] = '';
  // Python block-buffers a piped stdout; without this the live view would show nothing for minutes.
  env.PYTHONUNBUFFERED ??= '1';
  return env;
}
