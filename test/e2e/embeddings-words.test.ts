/**
 * `embeddings` says what it does and refuses what it should: an API key goes over plain http only
 * to this machine (as a Chroma token does), unless --insecure; mistakes in the command line are
 * usage errors (exit 2); a slow endpoint is said to be slow while it is waited for, and its
 * failure is not "start the server"; a sample is announced at the size it has.
 */
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedTexts } from '../../src/core/embeddings/client.js';
import { resolveEmbeddingEndpoint } from '../../src/core/embeddings/endpoint.js';
import { isMigrateError } from '../../src/core/util/errors.js';
import { COLLECTIONS_PATH, rawChroma, useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { qwenRecords, seedQwenCollection } from '../helpers/embeddings-collection.js';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.js';

const F = 1;
const KEY = 'sk-words-test-key';
const chroma = useChromaServer();
/** One of this machine's addresses that is not loopback (the endpoint "on another host"), if it has one. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry && !entry.internal && entry.family === 'IPv4')?.address;
let local: EmbeddingsServer;
let remote: EmbeddingsServer | undefined;
let slow: EmbeddingsServer;
/** An endpoint that answers only with its query, as Azure OpenAI answers only with ?api-version=. */
const QUERY = '?api-version=2024-10-21&key=QUERYKEY-0123456789abcdef';
let withQuery: EmbeddingsServer;

beforeAll(async () => {
  local = await startEmbeddingsServer({ seed: F, apiKey: KEY });
  if (outside) remote = await startEmbeddingsServer({ seed: F, apiKey: KEY, host: outside });
  slow = await startEmbeddingsServer({ seed: F, delayMs: 16_000 });
  withQuery = await startEmbeddingsServer({ seed: F, query: QUERY });
  await seedQwenCollection(chroma.url, 'tiny', qwenRecords(3, F));
});
afterAll(async () => {
  await Promise.all([local?.close(), remote?.close(), slow?.close(), withQuery?.close()]);
});

function check(endpointUrl: string, ...args: string[]) {
  return runCli(['embeddings', 'check', '--collections', 'tiny', '--endpoint', endpointUrl, '--model', 'm', '--url', chroma.url, ...args], { MYTOK: KEY });
}

describe('an API key over plain http', () => {
  it.runIf(outside)('to another host is refused in the Chroma token\'s words, nothing sent; --insecure sends it', async () => {
    const refused = await check(`${remote!.url}/v1`, '--api-key-env', 'MYTOK');
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`Refusing to send the API key to ${remote!.url} over plain http: anyone between you and the server could read it.`);
    expect(refused.stderr).toContain('pass --insecure if this network is private and you accept the risk');
    expect(remote!.stats.requests).toBe(0);
    const allowed = await check(`${remote!.url}/v1`, '--api-key-env', 'MYTOK', '--insecure');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(remote!.stats.requests).toBeGreaterThan(0);
  });

  it('to this machine (Ollama, a local vLLM) goes without --insecure', async () => {
    const run = await check(`${local.url}/v1`, '--api-key-env', 'MYTOK');
    expect(run.code, run.stderr).toBe(0);
  });
});

describe('usage errors exit 2', () => {
  it('an --api-key-env naming a variable that is not set', async () => {
    const run = await check(`${local.url}/v1`, '--api-key-env', 'NOT_SET_ANYWHERE');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('--api-key-env NOT_SET_ANYWHERE names an env var that is not set');
  });

  it('reembed --as the collection itself', async () => {
    const run = await runCli(['embeddings', 'reembed', '--collections', 'tiny', '--as', 'tiny', '--endpoint', local.url, '--model', 'm', '--url', chroma.url, '--yes']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('--as must name a new collection, not "tiny" itself');
  });

  it('an --endpoint in another scheme than http(s)', async () => {
    const run = await check('ftp://x');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('--endpoint "ftp://x" uses ftp://; an embeddings server speaks http or https.');
    expect(run.stderr).not.toContain('http://ftp');
  });

  it('a negative number is said to be one, not "ambiguous"', async () => {
    const run = await runCli(['export', '--source-url', chroma.url, '--all', '--out', 'x.jsonl', '--page-size', '-5']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('--page-size must be a positive whole number; got "-5".');
    expect(run.stderr).not.toContain('ambiguous');
  });
});

describe('what check announces and waits for', () => {
  it('announces the sample at the size it has: 3 documents when the collection holds 3', async () => {
    const run = await check(local.url, '--api', 'ollama');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Checking "tiny": 3 stored documents of 3');
    expect(run.stderr).not.toContain('50 stored documents');
  });

  it('says it is still waiting for a slow endpoint, instead of minutes of silence', async () => {
    const run = await check(slow.url, '--api', 'ollama', '--sample', '1');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Asking ${slow.url}/api/embed for one embedding first`);
    expect(run.stderr).toMatch(/Still waiting for \S+\/api\/embed: 15 s for one answer so far/);
  }, 120_000);

  it('--timeout sets how long one request may take, and is said in the failure', async () => {
    const run = await check(slow.url, '--api', 'ollama', '--sample', '1', '--timeout', '1');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('answers too slowly (each request waits 1 s)');
    expect(run.stderr).toContain('a longer --timeout SECONDS');
    const wrong = await check(slow.url, '--api', 'ollama', '--timeout', '0');
    expect(wrong.code, wrong.stderr).toBe(2);
    expect(wrong.stderr).toContain('--timeout takes a whole number from 1 to 3600');
  }, 120_000);

  it('a request that times out is "answers too slowly", not "start the server"', async () => {
    const endpoint = { ...resolveEmbeddingEndpoint({ url: slow.url, model: 'm', shape: 'ollama' }, {}), timeoutMs: 300 };
    const error = await embedTexts(endpoint, ['x']).catch((caught: unknown) => caught);
    expect(isMigrateError(error) && error.fix).toMatch(/answers too slowly/);
    expect(isMigrateError(error) && error.fix).not.toMatch(/Start the embeddings server/);
  }, 60_000);
});

describe("an endpoint's query", () => {
  it('is sent with every request and said, masked; never printed, saved in the state or in the collection\'s embedding function', async () => {
    const run = await check(`${withQuery.url}/v1${QUERY}`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("! --endpoint's query ?api-version=…&key=… is sent with every request, but not saved in the collection's embedding function (its api_base holds no query: one may carry a key): an app whose endpoint needs it adds it to its own client.");
    const repoint = await runCli(['embeddings', 'repoint', '--collections', 'tiny', '--endpoint', `${withQuery.url}/v1${QUERY}`, '--model', 'm', '--url', chroma.url, '--yes']);
    expect(repoint.code, repoint.stderr).toBe(0);
    const raw = await rawChroma(chroma.url, 'GET', `${COLLECTIONS_PATH}/tiny`);
    expect(JSON.parse(raw).configuration_json.embedding_function.config.api_base).toBe(`${withQuery.url}/v1`);
    for (const text of [run.stdout + run.stderr, repoint.stdout + repoint.stderr, raw]) expect(text).not.toMatch(/QUERYKEY|2024-10-21/);
  }, 60_000);
});
