import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startChromaServer, type RunningServer } from '../../src/core/local-server/chroma-server.js';
import { ensureOldChroma } from './old-chroma.js';

export interface TestServerOptions {
  /** 'bundled' (default): the newest, from node_modules; 'old': bindings 1.0.1, no schema, no arrays. */
  release?: 'bundled' | 'old';
}

async function cliFor(options: TestServerOptions): Promise<string | undefined> {
  return options.release === 'old' ? ensureOldChroma() : undefined;
}

/** A started server as a test file holds it: its process and its URL. */
export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
}

/** A real Chroma server in its own temp dir on a free port, stopped after the file's tests. */
export function useChromaServer(options: TestServerOptions = {}): TestServer {
  let server: RunningServer | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-chroma-'));
    server = await startChromaServer({ path: join(dir, 'data'), cliPath: await cliFor(options) });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get server() {
      if (!server) throw new Error('the Chroma server is not started yet (use it inside a test)');
      return server;
    },
    get url() {
      return this.server.url;
    },
  };
}

/** A source and a target server for the file's tests, started together and stopped after them. */
export function useTwoServers(): { source: TestServer; target: TestServer } {
  let started: Array<Awaited<ReturnType<typeof startTestServer>>> = [];
  beforeAll(async () => {
    started = await Promise.all([startTestServer(), startTestServer()]);
  });
  afterAll(async () => {
    await Promise.all(started.map((one) => one.cleanup()));
  });
  const side = (index: number): TestServer => ({
    get server() {
      const one = started[index];
      if (!one) throw new Error('the Chroma servers are not started yet (use them inside a test)');
      return one.server;
    },
    get url() {
      return this.server.url;
    },
  });
  return { source: side(0), target: side(1) };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<{ server: RunningServer; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cm-chroma-'));
  const server = await startChromaServer({ path: join(dir, 'data'), cliPath: await cliFor(options) });
  return {
    server,
    cleanup: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The default tenant's collections route, for tests that talk HTTP to a server directly. */
export const COLLECTIONS_PATH = '/api/v2/tenants/default_tenant/databases/default_database/collections';

/** Raw HTTP with the body as text: the only way to send 2.0 as JSON writes it. The answer's text. */
export async function rawChroma(url: string, method: string, path: string, body?: string): Promise<string> {
  const response = await fetch(new URL(path, url), { method, headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return text;
}
