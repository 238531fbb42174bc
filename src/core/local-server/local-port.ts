import { isLoopbackHost } from '../chroma/endpoint.js';
import { portIsTaken } from './chroma-server.js';

export const DEFAULT_LOCAL_PORT = 8000;

/** The port of a server on this machine that the app's .env points at, or null for a remote one. */
export function localPortInEnv(env: Record<string, string | undefined>): number | null {
  const host = env.CHROMA_HOST;
  if (!host) return null;
  // CHROMA_HOST may carry a scheme or a port of its own: read it as a URL.
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(host) ? host : `http://${host}`);
  } catch {
    return null;
  }
  if (!isLoopbackHost(url.hostname)) return null;
  const port = Number(env.CHROMA_PORT || url.port || DEFAULT_LOCAL_PORT);
  return Number.isInteger(port) && port > 0 && port < 65_536 ? port : null;
}

/** The first free port after `taken`, for "8000 is in use: start on 8001 instead?". */
export async function nextFreePort(taken: number): Promise<number> {
  for (let port = taken + 1; port < Math.min(65_536, taken + 200); port++) {
    if (!(await portIsTaken(port))) return port;
  }
  return 0; // let the system choose
}
