import { Box } from 'ink';
import { LineInput } from '../../components/LineInput.js';
import { Para } from '../../components/Para.js';
import { Select } from '../../components/Select.js';
import type { TokenOffer } from '../../token-offers.js';

/** `typing`: the hidden input (no token on offer, or the user chose to type one). `refused`: the last answer's, said above the question. */
export type TokenAgainPhase = { name: 'ask' | 'typing'; refused?: string } | { name: 'checking' };

export interface TokenAgainViewProps {
  /** The step about to talk to the server (4 to 7). */
  step: number;
  url: string;
  phase: TokenAgainPhase;
  offers: TokenOffer[];
  on: { offer: (value: TokenOffer['value']) => void; token: (typed: string) => void };
}

/** A resumed wizard asks for the server's token again, and says why: tokens are never saved. */
export function TokenAgainView({ step, url, phase, offers, on }: TokenAgainViewProps) {
  if (phase.name === 'checking') return <Para bold>Step {step} · Checking the token with {url}…</Para>;
  return (
    <Box flexDirection="column">
      <Para bold>
        Step {step} · Token for {url}
        {phase.name === 'typing' ? ' (hidden)' : ''}:
      </Para>
      <Para>Tokens are not saved, and .env does not hold this server&apos;s token yet: give the one step 3 tested again.</Para>
      {phase.refused ? (
        <Para mark="✗ " color="red">
          {phase.refused}
        </Para>
      ) : null}
      {phase.name === 'typing' ? <LineInput mask onSubmit={on.token} /> : <Select options={offers} onChange={(value) => on.offer(value as TokenOffer['value'])} />}
    </Box>
  );
}
