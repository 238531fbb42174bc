/**
 * Real Chroma servers for the benchmark: each in its own folder under the run's temp dir, on a
 * free localhost port, and all stopped (SIGINT, through stop()) when the run ends or fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startChromaServer, type RunningServer } from '../src/core/local-server/chroma-server.js';
import { startFaultProxy } from '../test/helpers/fault-proxy.js';
import { pin } from './affinity.js';

export interface BenchServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `cpu`: a taskset CPU list the server (every thread) is pinned to once it answers. */
export interface ServerPlacement {
  cpu?: string;
}

const running = new Set<RunningServer>();

export async function startServer(root: string, label: string, placement: ServerPlacement = {}): Promise<BenchServer> {
  const dir = await mkdtemp(join(root, `server-${label}-`));
  const server = await startChromaServer({ path: join(dir, 'data'), startTimeoutMs: 60_000 });
  running.add(server);
  if (!/^http:\/\/(localhost|127\.0\.0\.1):\d+$/.test(server.url)) {
    await server.stop();
    throw new Error(`refusing to benchmark a server that is not local: ${server.url}`);
  }
  if (placement.cpu !== undefined) await pin(server.pid, placement.cpu);
  return {
    url: server.url,
    pid: server.pid,
    stop: async () => {
      if (!running.delete(server)) return;
      await server.stop();
      // The data folders of 100k-record collections are large: free the disk as we go.
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function stopAllServers(): Promise<void> {
  await Promise.allSettled([...running].map(async (server) => {
    running.delete(server);
    await server.stop();
  }));
}

/** Starts a server, runs `work`, and always stops the server. */
export async function withServer<T>(root: string, label: string, work: (server: BenchServer) => Promise<T>, placement: ServerPlacement = {}): Promise<T> {
  const server = await startServer(root, label, placement);
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

/** withServer, reached through a proxy that adds `delayMs` to every request: a server across a network. */
export function withServerAcross<T>(root: string, label: string, delayMs: number, work: (url: string) => Promise<T>, placement: ServerPlacement = {}): Promise<T> {
  return withServer(root, label, async (server) => {
    const proxy = await startFaultProxy(server.url, { delayMs });
    try {
      return await work(proxy.url);
    } finally {
      await proxy.close();
    }
  }, placement);
}
