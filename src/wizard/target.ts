import { endpoint, type Endpoint } from '../core/chroma/endpoint.js';
import { resolveTarget } from '../core/chroma/connection.js';
import type { MigrationState } from '../core/state/schema.js';
import type { Session } from './session.js';
import type { WizardServices } from './services.js';

/**
 * The server the later steps talk to: the one tested in step 3, or — after a resume, when
 * memory is gone — what the environment says (read with .env once, when the wizard started;
 * run.tsx puts the saved URL with .env's token into the session). Reads no file: screens call
 * it while they render.
 */
export function currentTarget(session: Session, services: Pick<WizardServices, 'env'>): Endpoint {
  if (session.target) return session.target;
  return resolveTarget({}, services.env).target;
}

/** Same scheme, host and port: localhost and 127.0.0.1 both name this machine. */
export function sameServer(a: string, b: string): boolean {
  const key = (url: string) => {
    try {
      const parsed = new URL(url);
      const host = parsed.hostname === '127.0.0.1' || parsed.hostname === '[::1]' ? 'localhost' : parsed.hostname;
      return `${parsed.protocol}//${host}:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`;
    } catch {
      return url;
    }
  };
  return key(a) === key(b);
}

/**
 * The server step 3 tested, on a resume: its URL from the state, its token from where step 3 took
 * it (targetToken), never from wherever .env happens to hold one. A typed token is in .env only
 * once step 4 pointed .env at this server; step 2's is known by its digest (`deployToken`). A
 * token the resume cannot find is asked for (tokenLost), not replaced by another server's. A
 * state that does not say (older, or step 3 done by `ping`) takes .env's token for the server
 * .env names, and asks when .env holds one for another.
 */
export function resumedTarget(saved: MigrationState, env: Record<string, string | undefined>, deployToken: string | undefined): Pick<Session, 'target' | 'tokenLost' | 'targetToken'> {
  const url = saved.targetUrl;
  if (!url) return {};
  const envToken = env.CHROMA_AUTH_TOKEN || undefined;
  const envHere = env.CHROMA_HOST ? sameServer(resolveTarget({}, env).target.url, url) : false;
  const known = saved.targetToken?.url === url ? saved.targetToken : undefined;
  const from = known?.from;
  const token = from === 'none' ? undefined : from === 'deploy' ? (deployToken ?? (envHere ? envToken : undefined)) : from === 'env' ? envToken : envHere ? envToken : undefined;
  const lost = token === undefined && (from === undefined ? envToken !== undefined : from !== 'none');
  return { target: endpoint({ url, token }), targetToken: known, ...(lost ? { tokenLost: true } : {}) };
}
