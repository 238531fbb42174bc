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

let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((request, response) => {
    const [status, body] = answers[request.url ?? ''] ?? [404, Buffer.from('{}')];
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
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

  it('lets a fault in the reader surface as itself, not as a server that is not Chroma', async () => {
    await expect(
      get('/page', () => {
        throw new TypeError('a bug in the reader');
      }),
    ).rejects.toThrow(TypeError);
  });
});
