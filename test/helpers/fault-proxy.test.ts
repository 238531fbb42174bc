import {
  ChromaClient,
  ChromaConnectionError,
  ChromaQuotaExceededError,
  ChromaRateLimitError,
  ChromaServerError,
  ChromaUnauthorizedError,
  type Collection,
} from 'chromadb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/core/local-server/chroma-server.js';
import { startTestServer } from './chroma.js';
import {
  cloudQuotaMessage,
  planFaults,
  seededRandom,
  startFaultProxy,
  type FaultProxy,
  type FaultRules,
} from './fault-proxy.js';

const RECORDS = 500;
const SOURCE = 'fault-proxy-source';

let server: RunningServer;
let cleanup: () => Promise<void>;
let proxy: FaultProxy | undefined;

function ids(n: number, prefix = 'id'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
}

function records(n: number, prefix = 'id') {
  const list = ids(n, prefix);
  return {
    ids: list,
    embeddings: list.map((_, i) => [i, i / 2, 1, -i]),
    documents: list.map((id) => `document ${id}`),
    metadatas: list.map((_, i) => ({ i, even: i % 2 === 0 })),
  };
}

function direct(): ChromaClient {
  return new ChromaClient({ host: 'localhost', port: server.port, ssl: false });
}

function via(p: FaultProxy, headers?: Record<string, string>): ChromaClient {
  return new ChromaClient({ host: '127.0.0.1', port: p.port, ssl: false, ...(headers ? { headers } : {}) });
}

async function open(rules?: FaultRules): Promise<FaultProxy> {
  proxy = await startFaultProxy(server.url, rules);
  return proxy;
}

async function sourceVia(p: FaultProxy, headers?: Record<string, string>): Promise<Collection> {
  return via(p, headers).getCollection({ name: SOURCE });
}

const collectionsPath = '/api/v2/tenants/default_tenant/databases/default_database/collections';

beforeAll(async () => {
  ({ server, cleanup } = await startTestServer());
  const source = await direct().createCollection({ name: SOURCE, embeddingFunction: null });
  await source.add(records(RECORDS));
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

afterAll(async () => {
  await cleanup?.();
});

describe('fault proxy: plain forwarding', () => {
  it('streams requests and answers through unchanged', async () => {
    const p = await open();
    const through = await sourceVia(p);
    const straight = await direct().getCollection({ name: SOURCE });
    const include = ['embeddings', 'documents', 'metadatas'] as const;
    const a = await through.get({ limit: 300, offset: 100, include: [...include] });
    const b = await straight.get({ limit: 300, offset: 100, include: [...include] });
    expect(a.ids).toHaveLength(300);
    expect(a.ids).toEqual(b.ids);
    expect(a.embeddings).toEqual(b.embeddings);
    expect(a.metadatas).toEqual(b.metadatas);
    expect(await through.count()).toBe(RECORDS);
    expect(p.stats.requests).toBe(p.stats.forwarded);
    expect(p.stats.injected).toEqual({});
    expect(p.log.every((entry) => entry.status === 200 && entry.fault === undefined)).toBe(true);
  });
});

describe('fault proxy: Chroma Cloud quotas', () => {
  it('rejects a get above 300 with the Cloud 422 body, without forwarding it', async () => {
    const p = await open({ cloudQuota: true });
    const source = await sourceVia(p);
    const forwarded = p.stats.forwarded;
    const failure = source.get({ limit: 1000 });
    await expect(failure).rejects.toBeInstanceOf(ChromaQuotaExceededError);
    await expect(failure).rejects.toThrow(
      "Quota exceeded: 'Limit value' exceeded quota limit for action 'Get': current usage of 1000 exceeds limit of 300",
    );
    expect(p.stats.forwarded).toBe(forwarded);
    expect(p.log.at(-1)).toMatchObject({ method: 'POST', status: 422, fault: 'quota' });

    // The raw answer, as Cloud sends it.
    const collection = await source.get({ limit: 1 });
    expect(collection.ids).toHaveLength(1);
    const raw = await fetch(`${p.url}${collectionsPath}/${source.id}/get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 301, offset: 0 }),
    });
    expect(raw.status).toBe(422);
    expect(await raw.json()).toEqual({
      error: 'ChromaError',
      message: cloudQuotaMessage('Limit value', 'Get', 301),
    });
  });

  it('serves a get of exactly 300, and pages with offset', async () => {
    const p = await open({ cloudQuota: true });
    const source = await sourceVia(p);
    expect((await source.get({ limit: 300 })).ids).toHaveLength(300);
    expect((await source.get({ limit: 300, offset: 300 })).ids).toHaveLength(RECORDS - 300);
    expect(p.stats.injected.quota).toBeUndefined();
  });

  it('silently cuts a get without a limit to 300 records', async () => {
    const p = await open({ cloudQuota: true });
    const source = await sourceVia(p);
    const result = await source.get();
    expect(result.ids.length).toBeLessThanOrEqual(300);
    expect(result.ids).toHaveLength(300);
    expect(p.stats.injected.quotaCap).toBe(1);
    expect(p.log.at(-1)).toMatchObject({ status: 200, fault: 'quotaCap' });
    // A get by ids without a limit is capped too, and still answers.
    expect((await source.get({ ids: ids(3) })).ids).toEqual(ids(3));
  });

  it('rejects writes of more than 300 ids and never forwards them', async () => {
    const p = await open({ cloudQuota: true });
    const client = via(p);
    const target = await client.createCollection({ name: 'fault-proxy-writes', embeddingFunction: null });
    await target.add(records(10, 'seed'));

    const big = records(301, 'big');
    await expect(target.add(big)).rejects.toBeInstanceOf(ChromaQuotaExceededError);
    await expect(target.add(big)).rejects.toThrow(cloudQuotaMessage('Number of records', 'Add', 301));
    await expect(target.upsert(big)).rejects.toThrow(cloudQuotaMessage('Number of records', 'Upsert', 301));
    await expect(target.update({ ids: big.ids, embeddings: big.embeddings })).rejects.toThrow(
      cloudQuotaMessage('Number of records', 'Update', 301),
    );
    await expect(target.delete({ ids: big.ids })).rejects.toThrow(cloudQuotaMessage('Number of records', 'Delete', 301));
    expect(await target.count()).toBe(10);
    const writes = p.log.filter((entry) => /\/(add|upsert|update|delete)$/.test(entry.path));
    expect(writes.filter((entry) => entry.status === 422)).toHaveLength(5);
    expect(writes.filter((entry) => entry.status === 422).every((entry) => entry.fault === 'quota')).toBe(true);

    // 300 is allowed.
    await target.add(records(300, 'ok'));
    expect(await target.count()).toBe(310);
  });

  it('rejects a query asking for more than 300 results', async () => {
    const p = await open({ cloudQuota: true });
    const source = await sourceVia(p);
    await expect(source.query({ queryEmbeddings: [[1, 2, 3, 4]], nResults: 301 })).rejects.toThrow(
      cloudQuotaMessage('Number of results', 'Query', 301),
    );
    const hits = await source.query({ queryEmbeddings: [[1, 2, 3, 4]], nResults: 300 });
    expect(hits.ids[0]).toHaveLength(300);
  });

  it("reports Cloud's pre-flight max_batch_size of 1000", async () => {
    const p = await open({ cloudQuota: true });
    const answer = await fetch(`${p.url}/api/v2/pre-flight-checks`);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { max_batch_size: number };
    expect(body.max_batch_size).toBe(1000);
    const plain = (await (await fetch(`${server.url}/api/v2/pre-flight-checks`)).json()) as { max_batch_size: number };
    expect(plain.max_batch_size).toBeGreaterThan(1000);
  });
});

describe('fault proxy: token', () => {
  const secret = 'tok-3f9a-very-secret';

  it('answers 401 without the bearer token, keeps heartbeat and version open', async () => {
    const p = await open({ token: { value: secret, header: 'authorization' } });
    const anonymous = via(p);
    await expect(anonymous.listCollections()).rejects.toBeInstanceOf(ChromaUnauthorizedError);
    await expect(anonymous.heartbeat()).resolves.toBeGreaterThan(0);
    await expect(anonymous.version()).resolves.toMatch(/^\d+\.\d+/);
    await expect(via(p, { Authorization: 'Bearer wrong' }).listCollections()).rejects.toBeInstanceOf(
      ChromaUnauthorizedError,
    );
    // The right token in the wrong header does not count.
    await expect(via(p, { 'x-chroma-token': secret }).listCollections()).rejects.toBeInstanceOf(
      ChromaUnauthorizedError,
    );
    const names = (await via(p, { Authorization: `Bearer ${secret}` }).listCollections()).map((c) => c.name);
    expect(names).toContain(SOURCE);
    const source = await sourceVia(p, { Authorization: `Bearer ${secret}` });
    expect(await source.count()).toBe(RECORDS);

    expect(p.stats.injected.unauthorized).toBe(3);
    expect(p.log.filter((entry) => entry.status === 401)).toHaveLength(3);
    // The log keeps header names, never values.
    expect(JSON.stringify(p.log)).not.toContain(secret);
    expect(p.log.some((entry) => entry.headers.includes('authorization'))).toBe(true);
  });

  it('accepts the token in x-chroma-token when configured so', async () => {
    const p = await open({ token: { value: secret, header: 'x-chroma-token' } });
    await expect(via(p).listCollections()).rejects.toBeInstanceOf(ChromaUnauthorizedError);
    await expect(via(p, { Authorization: `Bearer ${secret}` }).listCollections()).rejects.toBeInstanceOf(
      ChromaUnauthorizedError,
    );
    const source = await sourceVia(p, { 'x-chroma-token': secret });
    expect(await source.count()).toBe(RECORDS);
    await expect(via(p).heartbeat()).resolves.toBeGreaterThan(0);
    expect(JSON.stringify(p.log)).not.toContain(secret);
  });
});

describe('fault proxy: random faults', () => {
  const rules: FaultRules = {
    seed: 42,
    dropRate: 0.1,
    status5xxRate: 0.1,
    rateLimitRate: 0.1,
    dropMidResponseRate: 0.1,
  };
  const N = 150;

  /** What planFaults says the proxy will do to N eligible requests with these rules. */
  function expected(r: FaultRules, n: number): Array<string | undefined> {
    const random = seededRandom(r.seed ?? 1);
    return Array.from({ length: n }, () => {
      const plan = planFaults(r, random);
      if (plan.drop) return 'drop';
      if (plan.status5xx) return 'status5xx';
      if (plan.rateLimit) return 'rateLimit';
      if (plan.dropMid) return 'dropMidResponse';
      return undefined;
    });
  }

  /** N sequential list-collections calls with raw fetch; what each one saw. */
  async function hammer(p: FaultProxy): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < N; i++) {
      // A heartbeat between the data calls: never faulted, never draws from the PRNG.
      const beat = await fetch(`${p.url}/api/v2/heartbeat`);
      expect(beat.status).toBe(200);
      await beat.arrayBuffer();
      try {
        const answer = await fetch(`${p.url}${collectionsPath}`);
        const retryAfter = answer.headers.get('retry-after');
        await answer.arrayBuffer();
        seen.push(`${answer.status}${retryAfter ? ` retry-after=${retryAfter}` : ''}`);
      } catch (error) {
        seen.push(`throw ${(error as Error).message}`);
      }
    }
    return seen;
  }

  it('injects exactly the faults the seed dictates, and the same again after setRules', async () => {
    const p = await open(rules);
    const plan = expected(rules, N);
    const first = await hammer(p);

    const count = (name: string) => plan.filter((fault) => fault === name).length;
    const counts = {
      drop: count('drop'),
      status5xx: count('status5xx'),
      rateLimit: count('rateLimit'),
      dropMidResponse: count('dropMidResponse'),
    };
    // Roughly the rates asked for (the later faults only see what the earlier ones left).
    for (const n of Object.values(counts)) {
      expect(n).toBeGreaterThanOrEqual(4);
      expect(n).toBeLessThanOrEqual(30);
    }
    expect(p.stats.injected).toEqual(counts);
    expect(p.stats.requests).toBe(2 * N); // no retries by fetch
    expect(p.stats.forwarded).toBe(2 * N - counts.drop - counts.status5xx - counts.rateLimit);

    const data = p.log.filter((entry) => entry.path === collectionsPath);
    expect(data.map((entry) => entry.fault)).toEqual(plan);
    expect(p.log.filter((entry) => entry.path === '/api/v2/heartbeat').every((entry) => !entry.fault)).toBe(true);

    // What the client saw matches, request by request.
    let turn5xx = 0;
    let turn429 = 0;
    plan.forEach((fault, i) => {
      const got = first[i];
      if (fault === 'drop') expect(got).toBe('throw fetch failed');
      else if (fault === 'status5xx') expect(got).toBe(String([500, 502, 503][turn5xx++ % 3]));
      else if (fault === 'rateLimit') expect(got).toBe(turn429++ % 2 === 0 ? '429 retry-after=1' : '429');
      else if (fault === 'dropMidResponse') expect(got).toBe('throw terminated');
      else expect(got).toBe('200');
    });
    expect(data.filter((entry) => entry.fault === 'drop').every((entry) => entry.status === 0)).toBe(true);

    // Same seed again: the very same sequence.
    p.setRules(rules);
    p.resetStats();
    expect(await hammer(p)).toEqual(first);
    expect(p.stats.injected).toEqual(counts);
  });

  it('a different seed gives a different sequence; rate 0 gives none', async () => {
    const p = await open({ ...rules, seed: 7 });
    const other = expected({ ...rules, seed: 7 }, N);
    expect(other).not.toEqual(expected(rules, N));
    await hammer(p);
    expect(p.log.filter((entry) => entry.path === collectionsPath).map((entry) => entry.fault)).toEqual(other);

    p.setRules({ seed: 7 });
    p.resetStats();
    await hammer(p);
    expect(p.stats.injected).toEqual({});
  });

  it('faultPaths narrows the faults to the matching routes', async () => {
    const p = await open({ status5xxRate: 1, faultPaths: /\/get$/ });
    const source = await sourceVia(p);
    expect(await source.count()).toBe(RECORDS);
    await expect(source.get({ limit: 5 })).rejects.toBeInstanceOf(ChromaServerError);
    expect(p.stats.injected).toEqual({ status5xx: 1 });
  });

  it('delays requests before forwarding them', async () => {
    const p = await open({ delayMs: 250, delayRate: 1 });
    const source = await sourceVia(p);
    const started = Date.now();
    expect(await source.count()).toBe(RECORDS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(p.log.at(-1)).toMatchObject({ status: 200, fault: 'delay' });
  });
});

describe('fault proxy: what the chromadb client makes of the faults', () => {
  it('5xx → ChromaServerError, 429 → ChromaRateLimitError, drop → ChromaConnectionError; no retries', async () => {
    const p = await open();
    const source = await sourceVia(p);

    p.setRules({ status5xxRate: 1 });
    const before = p.stats.requests;
    const errors = [] as unknown[];
    for (let i = 0; i < 3; i++) errors.push(await source.get({ limit: 10 }).catch((error: unknown) => error));
    expect(errors.every((error) => error instanceof ChromaServerError)).toBe(true);
    // The status is only in the message (no status field): the JSON message, or "<status>: <statusText>".
    expect((errors as Error[]).map((error) => error.message)).toEqual([
      'Injected internal server error',
      '502: Bad Gateway',
      '503: Service Unavailable',
    ]);
    expect(p.stats.requests - before).toBe(3); // the client does not retry

    p.setRules({ rateLimitRate: 1 });
    const limited = await source.count().catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(ChromaRateLimitError);
    expect((limited as Error).message).toBe('Rate limit exceeded');
    expect(Object.keys(limited as object)).not.toContain('status');

    p.setRules({ dropRate: 1 });
    const dropped = await source.count().catch((error: unknown) => error);
    expect(dropped).toBeInstanceOf(ChromaConnectionError);
    expect((dropped as Error).cause).toBeUndefined(); // the client drops the original error

    // A body cut halfway is NOT wrapped: fetch's own TypeError('terminated') leaks through.
    p.setRules({ dropMidResponseRate: 1 });
    const cut = await source.get({ limit: 50 }).catch((error: unknown) => error);
    expect(cut).toBeInstanceOf(TypeError);
    expect((cut as Error).message).toBe('terminated');
    expect(p.stats.requests - before).toBe(6);

    p.setRules({});
    expect(await source.count()).toBe(RECORDS);
  });
});

describe('fault proxy: close()', () => {
  it('returns promptly with a request in flight and idle keep-alive sockets', async () => {
    const p = await open();
    const client = via(p);
    expect((await client.listCollections()).length).toBeGreaterThan(0); // leaves a keep-alive socket
    p.setRules({ delayMs: 30_000 });
    const pending = client.listCollections().then(
      () => 'answered',
      (error: unknown) => error,
    );
    while (p.log.length < 2) await new Promise((wait) => setTimeout(wait, 10));
    const started = Date.now();
    await p.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(ChromaConnectionError);
    await expect(client.heartbeat()).rejects.toBeInstanceOf(ChromaConnectionError);
    await p.close(); // idempotent
  });

  it('returns promptly while forwarding a response', async () => {
    const p = await open();
    const source = await sourceVia(p);
    const pending = source
      .get({ limit: 300, include: ['embeddings', 'documents', 'metadatas'] })
      .then(() => 'answered', (error: unknown) => error);
    while (p.stats.forwarded < 2) await new Promise((wait) => setImmediate(wait));
    const started = Date.now();
    await p.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    const outcome = await pending;
    expect(outcome === 'answered' || outcome instanceof Error).toBe(true);
  });
});
