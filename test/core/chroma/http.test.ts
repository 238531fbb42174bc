import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoint } from '../../../src/core/chroma/endpoint.js';
import { chromaRequest } from '../../../src/core/chroma/http.js';

// Each path answers with a fixed status and body, byte for byte.
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const answers: Record<string, [number, Buffer]> = {
  '/bom-json': [200, Buffer.concat([BOM, Buffer.from('{"ids":["a"]}')])],
  '/bom-only': [200, BOM],
  '/empty': [200, Buffer.alloc(0)],
  '/bom-error': [400, Buffer.concat([BOM, Buffer.from('{"error":"InvalidArgumentError","message":"bad thing"}')])],
  '/html': [200, Buffer.from('<html>hello</html>')],
  '/page': [200, Buffer.from('{"ids":["a"],"embeddings":[[0.5]]}')],
};
// Answers large enough to be received into pooled buffers: each its own bytes, so a buffer
// handed to the next answer too early would show in another answer's text.
const large = (fill: string) => Buffer.from(JSON.stringify({ ids: [fill.repeat(400_000)] }));
for (const fill of 'abcdef') answers[`/large-${fill}`] = [200, large(fill)];

let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/echo') {
      // The request's body back, as the answer: what was sent, byte for byte.
      const parts: Buffer[] = [];
      request.on('data', (part: Buffer) => parts.push(part));
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.concat(parts)));
      return;
    }
    const [status, body] = answers[request.url ?? ''] ?? [404, Buffer.from('{}')];
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = (path: string, read?: (body: Buffer) => unknown) => chromaRequest(endpoint({ url }), 'GET', path, { read });

describe('chromaRequest reads answer bodies as bytes', () => {
  it('drops a byte-order mark as response.text() did, in answers and in error messages', async () => {
    expect(await get('/bom-json')).toEqual({ ids: ['a'] });
    // Chroma answers every read with JSON: an empty page on a GET is something else answering.
    await expect(get('/bom-only')).rejects.toMatchObject({ kind: 'not-chroma', message: expect.stringContaining('an empty page') });
    await expect(get('/empty')).rejects.toMatchObject({ kind: 'not-chroma' });
    expect(await chromaRequest(endpoint({ url }), 'POST', '/empty', { body: {} })).toBeUndefined();
    await expect(get('/bom-error')).rejects.toMatchObject({ kind: 'bad-request', message: expect.stringMatching(/→ 400: bad thing$/) });
  });

  it('uses the reader when it reads the body, JSON.parse when it returns null', async () => {
    expect(await get('/page', () => 'from the reader')).toBe('from the reader');
    expect(await get('/page', () => null)).toEqual({ ids: ['a'], embeddings: [[0.5]] });
    await expect(get('/html', () => null)).rejects.toMatchObject({ kind: 'not-chroma' });
  });

  it('reads large answers through reused buffers, each answer its own bytes', async () => {
    const texts = (paths: string[]) => Promise.all(paths.map((path) => get(path, (body) => body.toString('latin1'))));
    for (let round = 0; round < 3; round++) {
      const paths = [...'abcdef'].map((fill) => `/large-${fill}`);
      expect(await texts(paths)).toEqual(paths.map((path) => answers[path]![1].toString('latin1')));
    }
    // The ordinary path (JSON.parse) reads them too.
    expect(await get('/large-a')).toEqual({ ids: ['a'.repeat(400_000)] });
  });

  it('sends large request bodies through reused buffers, each request its own bytes', async () => {
    for (let round = 0; round < 3; round++) {
      const bodies = [...'abcdef'].map((fill) => ({ ids: [fill.repeat(300_000 + round)] }));
      const echoed = await Promise.all(bodies.map((body) => chromaRequest(endpoint({ url }), 'POST', '/echo', { body })));
      expect(echoed).toEqual(bodies);
    }
  });

  it('refuses a large answer cut short of its declared length', async () => {
    const cut = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000000' });
      response.write(Buffer.alloc(600_000, 0x20), () => response.socket?.destroy());
    });
    await new Promise<void>((resolve) => cut.listen(0, '127.0.0.1', resolve));
    const cutUrl = `http://127.0.0.1:${(cut.address() as AddressInfo).port}`;
    try {
      await expect(chromaRequest(endpoint({ url: cutUrl, timeoutMs: 20_000 }), 'GET', '/x', { read: () => 'whole' })).rejects.toMatchObject({ kind: 'network' });
    } finally {
      await new Promise<void>((resolve) => cut.close(() => resolve()));
    }
  });

  it('lets a fault in the reader surface as itself, not as a server that is not Chroma', async () => {
    await expect(
      get('/page', () => {
        throw new TypeError('a bug in the reader');
      }),
    ).rejects.toThrow(TypeError);
  });
});
