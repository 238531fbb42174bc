import type { Endpoint } from '../core/chroma/endpoint.js';
import { loadEnv, resolveTarget } from '../core/chroma/connection.js';
import type { Session } from './session.js';
import type { WizardServices } from './services.js';

/**
 * The server the later steps talk to: the one tested in step 3, or — after a resume, when
 * memory is gone — what .env now says (step 4 wrote it).
 */
export function currentTarget(session: Session, services: WizardServices): Endpoint {
  if (session.target) return session.target;
  return resolveTarget({}, loadEnv(services.envFile, services.env)).target;
}
