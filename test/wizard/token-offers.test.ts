import { describe, expect, it } from 'vitest';
import { tokenOffers } from '../../src/wizard/token-offers.js';

const first = (...args: Parameters<typeof tokenOffers>) => tokenOffers(...args)[0]?.value;

describe('the token question defaults only to a token made for that server', () => {
  it('a localhost server after the Railway guide: no token first, the Railway token last', () => {
    const offers = tokenOffers('http://localhost:8000', { deployToken: 'T' });
    expect(offers[0]).toMatchObject({ value: 'none' });
    expect(offers.at(-1)).toMatchObject({ value: 'deploy', label: expect.stringContaining('made for another server') });
  });

  it("the deployed server: step 2's token first", () => {
    expect(first('https://chroma-prod.up.railway.app:443', { deployToken: 'T' })).toBe('deploy');
  });

  it(".env's token first only for the server .env names", () => {
    const envUrl = 'https://chroma-prod.up.railway.app:443';
    expect(first(envUrl, { envToken: 'E', envUrl })).toBe('env');
    expect(first('https://other.example.com:443', { envToken: 'E', envUrl })).toBe('type');
    expect(first('http://127.0.0.1:8000', { envToken: 'E', envUrl })).toBe('none');
  });

  it("step 2's token waiting in .env is one token, offered once as step 2's", () => {
    const offers = tokenOffers('https://chroma-prod.up.railway.app:443', { deployToken: 'T', envToken: 'T' });
    expect(offers.map((offer) => offer.value)).toEqual(['deploy', 'type', 'none']);
  });
});
