import { useState } from 'react';
import { endpoint, type Endpoint } from '../../../core/chroma/endpoint.js';
import { ChromaRequestError } from '../../../core/chroma/http.js';
import { resolveTarget } from '../../../core/chroma/connection.js';
import type { TargetToken } from '../../../core/state/schema.js';
import { STEP_IDS, type StepId } from '../../../core/state/steps.js';
import type { StepProps } from '../../session.js';
import type { WizardServices } from '../../services.js';
import { currentTarget } from '../../target.js';
import { tokenOffers, type TokenOffer } from '../../token-offers.js';
import { useStepTask } from '../../use-step-task.js';
import { TokenAgainView, type TokenAgainPhase } from './TokenAgainView.js';

type Candidate = { token: string | undefined; from: TargetToken['from'] };

/**
 * Before a resumed step talks to the server step 3 tested, when the resume could not find its
 * token (session.tokenLost): the token again, from the user. Each answer is tried on the server
 * first (one authenticated call); a refusal is said and the question asked again. Taken, it is
 * the session's, as step 3's was, and the step the wizard stands on shows.
 */
export function TokenAgain({ step, services, session, update, signal, setBusy }: StepProps & { step: StepId }) {
  const target = currentTarget(session, services);
  const offers = againOffers(target.url, session.deployToken, services.env);
  const asked: TokenAgainPhase = offers.length > 2 ? { name: 'ask' } : { name: 'typing' };
  const [phase, setPhase] = useState<TokenAgainPhase>(asked);
  const [checking, setChecking] = useState<Candidate | null>(null);

  useStepTask(
    checking,
    async ({ token, from }, { live }) => {
      const candidate = endpoint({ ...target, token });
      const refused = await refusal(services, candidate, signal);
      if (!live()) return;
      setChecking(null);
      if (refused) setPhase({ ...asked, refused });
      else update({ target: candidate, targetToken: { url: candidate.url, from }, tokenLost: false });
    },
    {
      setBusy,
      onError: (error) => {
        setChecking(null);
        setPhase({ ...asked, refused: error instanceof Error ? error.message : String(error) });
      },
    },
  );

  const check = (token: string | undefined, from: TargetToken['from']) => setChecking({ token: token || undefined, from: token ? from : 'none' });
  return (
    <TokenAgainView
      step={STEP_IDS.indexOf(step) + 1}
      url={target.url}
      phase={checking ? { name: 'checking' } : phase}
      offers={offers}
      on={{
        offer: (value) => {
          if (value === 'type') setPhase({ name: 'typing' });
          else if (value === 'deploy') check(session.deployToken, 'deploy');
          else if (value === 'env') check(services.env.CHROMA_AUTH_TOKEN, 'env');
          else check(undefined, 'none');
        },
        token: (typed) => check(typed.trim(), 'typed'),
      }}
    />
  );
}

/**
 * Step 3's offers for the URL, as step 3 would make them, with "No token" last: the server took
 * one at step 3. Only "type" and "none": nothing to offer, the hidden input at once.
 */
function againOffers(url: string, deployToken: string | undefined, env: WizardServices['env']): TokenOffer[] {
  const envUrl = env.CHROMA_HOST ? resolveTarget({}, env).target.url : undefined;
  const { offers } = tokenOffers(url, { deployToken, envToken: env.CHROMA_AUTH_TOKEN, envUrl });
  const typed = offers.map((offer) => (offer.value === 'type' ? { ...offer, label: 'Type the token' } : offer));
  return [...typed.filter((offer) => offer.value !== 'none'), ...typed.filter((offer) => offer.value === 'none')];
}

/** Why the server refused `target`'s token (401/403), in words; null when it did not (a network failure is the step's to report). */
async function refusal(services: WizardServices, target: Endpoint, signal: AbortSignal): Promise<string | null> {
  try {
    await services.api(target).listCollections({ limit: 1, offset: 0 }, { signal });
    return null;
  } catch (error) {
    if (!(error instanceof ChromaRequestError) || (error.kind !== 'unauthorized' && error.kind !== 'forbidden')) return null;
    return target.token
      ? `The server refused this token (${error.status}). Check it against CHROMA_AUTH_TOKEN on the proxy, character for character.`
      : `The server wants a token (${error.status}), and none was given.`;
  }
}
