/** A resumed wizard asks for the server's token again: the question, with tokens on offer or typed, and a refusal. */
import { describe, expect, it } from 'vitest';
import { TokenAgainView, type TokenAgainPhase } from '../../../src/wizard/steps/connect/TokenAgainView.js';
import type { TokenOffer } from '../../../src/wizard/token-offers.js';
import { ignore, renderView, WIDTHS } from './render-view.js';

const URL = 'https://chroma-production-7f3a.up.railway.app:443';
const OFFERS: TokenOffer[] = [
  { label: 'Use the token generated in step 2', value: 'deploy' },
  { label: 'Type the token', value: 'type' },
  { label: 'Use CHROMA_AUTH_TOKEN from .env (made for another server)', value: 'env' },
  { label: 'No token', value: 'none' },
];
const view = (phase: TokenAgainPhase, offers: TokenOffer[] = OFFERS) => <TokenAgainView step={5} url={URL} phase={phase} offers={offers} on={{ offer: ignore, token: ignore }} />;

describe.each(WIDTHS)('at %i columns', (columns) => {
  it('tokens on offer, step 2\'s first', async () => {
    const frame = await renderView(view({ name: 'ask' }), columns);
    expect(frame.replace(/\s+/g, ' ')).toContain("Tokens are not saved, and .env does not hold this server's token yet: give the one step 3 tested again.");
    expect(frame).toMatch(/❯ Use the token generated in step 2/);
    expect(frame).toMatchSnapshot();
  });

  it('typed, after a refusal', async () => {
    const refused = 'The server refused this token (401). Check it against CHROMA_AUTH_TOKEN on the proxy, character for character.';
    const frame = await renderView(view({ name: 'typing', refused }), columns);
    expect(frame.replace(/\s+/g, ' ')).toContain(`✗ ${refused}`);
    expect(frame).toMatchSnapshot();
  });

  it('checking', async () => {
    expect(await renderView(view({ name: 'checking' }), columns)).toMatchSnapshot();
  });
});
