import type { Endpoint } from '../core/chroma/endpoint.js';
import { resolveTarget } from '../core/chroma/connection.js';
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
