import { describe, expect, it } from 'vitest';
import { tokenOffers } from '../../src/wizard/token-offers.js';

const first = (...args: Parameters<typeof tokenOffers>) => tokenOffers(...args).offers[0]?.value;

describe('the token question defaults only to a token made for that server', () => {
  it('a localhost server after the Railway guide: no token first, the Railway token last', () => {
    const { offers } = tokenOffers('http://localhost:8000', { deployToken: 'T' });
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
    const { offers } = tokenOffers('https://chroma-prod.up.railway.app:443', { deployToken: 'T', envToken: 'T' });
    expect(offers.map((offer) => offer.value)).toEqual(['deploy', 'type', 'none']);
  });

  it('a token in .env without CHROMA_HOST that is not step 2\'s: offered as what it is, and nothing focused where Enter would mean typing over it', () => {
    const railway = tokenOffers('https://chroma-prod.up.railway.app:443', { envToken: 'E' });
    expect(railway.offers.map((offer) => offer.value)).toEqual(['type', 'none', 'env']);
    expect(railway.offers.at(-1)?.label).toBe('Use CHROMA_AUTH_TOKEN from .env (not one this wizard made)');
    expect(railway.preselect).toBe(false);
    // Step 2's own token fits the deployed server: it is first, and Enter takes it.
    const withStepTwo = tokenOffers('https://chroma-prod.up.railway.app:443', { deployToken: 'T', envToken: 'E' });
    expect(withStepTwo.offers.map((offer) => offer.value)).toEqual(['deploy', 'type', 'none', 'env']);
    expect(withStepTwo.preselect).toBe(true);
    // A server on this machine: no token first, which leaves .env's as it is.
    expect(tokenOffers('http://localhost:8000', { envToken: 'E' })).toMatchObject({ offers: [{ value: 'none' }, { value: 'type' }, { value: 'env' }], preselect: true });
    // .env's token for the server .env names is that server's.
    expect(tokenOffers('https://a.example.com:443', { envToken: 'E', envUrl: 'https://b.example.com:443' }).preselect).toBe(true);
  });
});
