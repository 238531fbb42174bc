import { describe, expect, it } from 'vitest';
import { addressOf, parseChromaUrl } from '../../../src/core/chroma/url.js';
import { cloudUrl } from '../../../src/core/chroma/connection.js';

describe('parseChromaUrl: what users paste', () => {
  it.each([
    ['localhost:8000', 'http://localhost:8000'],
    ['localhost', 'http://localhost:8000'],
    ['127.0.0.1:9000', 'http://127.0.0.1:9000'],
    ['http://localhost:8000/', 'http://localhost:8000'],
    ['https://chroma.example.com', 'https://chroma.example.com:443'],
    ['chroma.example.com', 'https://chroma.example.com:443'],
    ['chroma.example.com:8000', 'http://chroma.example.com:8000'],
    ['https://chroma.example.com/api/v2/heartbeat', 'https://chroma.example.com:443'],
    ['  http://10.0.0.5:8000  ', 'http://10.0.0.5:8000'],
  ])('%s → %s', (input, url) => {
    expect(parseChromaUrl(input).url).toBe(url);
  });

  it('corrects a Railway domain given with :8000 or http:// to https on 443, with a note', () => {
    for (const input of ['http://my-chroma.up.railway.app:8000', 'my-chroma.up.railway.app:8000', 'http://my-chroma.up.railway.app']) {
      const parsed = parseChromaUrl(input);
      expect(parsed.url).toBe('https://my-chroma.up.railway.app:443');
      expect(parsed.notes.join(' ')).toMatch(/Railway public domains answer on HTTPS port 443/);
    }
  });

  it('notes a dropped path', () => {
    expect(parseChromaUrl('https://c.example.com/chroma/').notes[0]).toMatch(/Dropped the path/);
  });

  it('rejects what is not a URL with the fix in words', () => {
    expect(() => parseChromaUrl('')).toThrow(/empty/);
    expect(() => parseChromaUrl('ftp://x.example.com')).toThrow(/http or https/);
    expect(() => parseChromaUrl('http://exa mple')).toThrow(/not a URL/);
  });
});

describe('cloudUrl: where Chroma Cloud is', () => {
  it.each([
    [undefined, 'https://api.trychroma.com:443'],
    ['', 'https://api.trychroma.com:443'], // what the ingestion command gets: empty, so the default
    ['europe-west1.gcp.trychroma.com', 'https://europe-west1.gcp.trychroma.com:443'],
    // A Cloud-compatible stand-in (a staging proxy, the test suite's quota proxy): its own URL.
    ['http://127.0.0.1:9311', 'http://127.0.0.1:9311'],
    ['https://cloud-proxy.internal:8443/', 'https://cloud-proxy.internal:8443'],
  ])('%j → %s', (host, url) => {
    expect(cloudUrl(host)).toBe(url);
  });
});

describe('addressOf: where requests went, as a rejects line records it', () => {
  it('writes the default port out, lower-cases scheme and host, drops trailing slashes, a query and a fragment', () => {
    expect(addressOf('HTTPS://Chroma.Example.com/')).toBe('https://chroma.example.com:443');
    expect(addressOf('http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000');
    expect(addressOf('http://h/edge/chroma/?x=1#y')).toBe('http://h:80/edge/chroma');
  });

  it('never keeps a user:password', () => {
    expect(addressOf('https://user:secret@h:8443')).toBe('https://h:8443');
  });

  it('is null for what is not an http(s) URL', () => {
    expect(addressOf('not a url')).toBeNull();
    expect(addressOf('ftp://h')).toBeNull();
  });
});
