import { createServer } from 'node:net';
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

/**
 * The first free port after `taken`, for "8000 is in use: start on 8001 instead?". Never one
 * below 1024: when `taken` needed rights the user lacks, so does the port after it.
 */
export async function nextFreePort(taken: number): Promise<number> {
  const from = Math.max(taken + 1, 1024);
  for (let port = from; port < Math.min(65_536, from + 200); port++) {
    if (!(await portIsTaken(port))) return port;
  }
  return 0; // let the system choose
}

/**
 * Why a new server cannot listen on `port` here, or null when it can: a Chroma server already
 * answers there (the user may want that one), another program holds it, or it needs rights the
 * user lacks (ports below 1024). "In use" for all three sent users hunting for a program that
 * was not there.
 */
export type PortProblem = 'chroma' | 'in-use' | 'no-permission';

export async function portProblem(port: number): Promise<PortProblem | null> {
  const code = await listenError(port);
  if (code === null) return null;
  if (code === 'EACCES' || code === 'EPERM') return 'no-permission';
  return (await chromaAnswers(port)) ? 'chroma' : 'in-use';
}

/** The error code of listening on the port, or null when a listen worked (and was closed again). */
function listenError(port: number): Promise<string | null> {
  return new Promise((answer) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => answer(error.code ?? 'EADDRINUSE'));
    probe.listen(port, '127.0.0.1', () => probe.close(() => answer(null)));
  });
}

async function chromaAnswers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/v2/heartbeat`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as Record<string, unknown>;
    return typeof body['nanosecond heartbeat'] === 'number';
  } catch {
    return false;
  }
}

/** A port as typed: a whole number from 1 to 65535, or null. */
export function parsePort(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return null;
  const port = Number(trimmed);
  return port >= 1 && port <= 65_535 ? port : null;
}
