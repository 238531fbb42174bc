/**
 * Which token a resumed wizard gives the server step 3 tested: from where step 3 took it, as the
 * state says (never the token itself); asked for (tokenLost) when it is not there, never taken
 * from a .env that holds it for another server.
 */
import { describe, expect, it } from 'vitest';
import { emptyState } from '../../src/core/state/store.js';
import type { TargetToken } from '../../src/core/state/schema.js';
import { resumedTarget } from '../../src/wizard/target.js';

const URL = 'https://chroma.example.com:443';
const HERE = { CHROMA_HOST: 'chroma.example.com', CHROMA_PORT: '443', CHROMA_SSL: 'true' };
const ELSEWHERE = { CHROMA_HOST: 'old.example.com', CHROMA_PORT: '443', CHROMA_SSL: 'true' };

function resumed(from: TargetToken['from'] | undefined, env: Record<string, string>, deployToken?: string, url = URL) {
  const saved = { ...emptyState(), targetUrl: URL, ...(from ? { targetToken: { url, from } } : {}) };
  const { target, tokenLost } = resumedTarget(saved, env, deployToken);
  return { token: target?.token, lost: tokenLost === true };
}

describe('resumedTarget', () => {
  it('typed at step 3: .env\'s token only once .env points at that server; otherwise asked, never another server\'s', () => {
    expect(resumed('typed', { ...HERE, CHROMA_AUTH_TOKEN: 'written-by-step-4' })).toEqual({ token: 'written-by-step-4', lost: false });
    expect(resumed('typed', {})).toEqual({ token: undefined, lost: true });
    expect(resumed('typed', { ...ELSEWHERE, CHROMA_AUTH_TOKEN: 'another-servers' })).toEqual({ token: undefined, lost: true });
    expect(resumed('typed', { CHROMA_AUTH_TOKEN: 'no-host-said' })).toEqual({ token: undefined, lost: true });
    expect(resumed('typed', HERE)).toEqual({ token: undefined, lost: true });
  });

  it("step 2's token: the one .env keeps (known by its digest), before step 4 as after", () => {
    expect(resumed('deploy', { CHROMA_AUTH_TOKEN: 'step-two' }, 'step-two')).toEqual({ token: 'step-two', lost: false });
    expect(resumed('deploy', {})).toEqual({ token: undefined, lost: true });
  });

  it(".env's token, as step 3 chose it; none stays none, whatever .env holds", () => {
    expect(resumed('env', { ...ELSEWHERE, CHROMA_AUTH_TOKEN: 'chosen' })).toEqual({ token: 'chosen', lost: false });
    expect(resumed('env', ELSEWHERE)).toEqual({ token: undefined, lost: true });
    expect(resumed('none', { ...HERE, CHROMA_AUTH_TOKEN: 'not-needed' })).toEqual({ token: undefined, lost: false });
  });

  it('a state that does not say (older, ping, or noted for another URL): .env\'s token for the server .env names; asked when it names another', () => {
    expect(resumed(undefined, { ...HERE, CHROMA_AUTH_TOKEN: 'for-this' })).toEqual({ token: 'for-this', lost: false });
    expect(resumed(undefined, { ...ELSEWHERE, CHROMA_AUTH_TOKEN: 'for-that' })).toEqual({ token: undefined, lost: true });
    expect(resumed(undefined, {})).toEqual({ token: undefined, lost: false });
    expect(resumed('none', { ...ELSEWHERE, CHROMA_AUTH_TOKEN: 'for-that' }, undefined, 'https://other:443')).toEqual({ token: undefined, lost: true });
  });
});
