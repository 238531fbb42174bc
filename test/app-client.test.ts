import { CloudClient } from 'chromadb';
import { describe, expect, it } from 'vitest';
import { createChromaClient } from '../src/index.js';
import { useChromaServer } from './helpers/chroma.js';

const chroma = useChromaServer();

describe('the app-side rule: CHROMA_HOST set → self-hosted, otherwise → Cloud', () => {
  it('with CHROMA_HOST it talks to the self-hosted server', async () => {
    const { port } = new URL(chroma.url);
    const client = createChromaClient({ CHROMA_HOST: 'localhost', CHROMA_PORT: port, CHROMA_SSL: 'false', CHROMA_API_KEY: 'ck-ignored' });
    expect(client).not.toBeInstanceOf(CloudClient);
    expect(typeof (await client.heartbeat())).toBe('number');
  });

  it('without CHROMA_HOST it is a Cloud client', () => {
    expect(createChromaClient({ CHROMA_API_KEY: 'ck-test', CHROMA_TENANT: 't', CHROMA_DATABASE: 'd' })).toBeInstanceOf(CloudClient);
  });
});
