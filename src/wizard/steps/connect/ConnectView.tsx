import { useState } from 'react';
import { Box } from 'ink';
import { Select } from '../../components/Select.js';
import type { Endpoint } from '../../../core/chroma/endpoint.js';
import type { CheckResult } from '../../../core/chroma/probe.js';
import { LineInput } from '../../components/LineInput.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Para } from '../../components/Para.js';
import type { TokenOffer } from '../../token-offers.js';
import type { TargetToken } from '../../../core/state/schema.js';

export type ConnectPhase =
  | { name: 'url'; error?: unknown; typed?: string }
  /** `typing`: the user chose to type a token rather than take one on offer. */
  | { name: 'token'; url: string; notes: string[]; typing?: boolean }
  /** `from`: where the token came from, saved for a resume (never the token). */
  | { name: 'running'; target: Endpoint; notes: string[]; from: TokenFrom }
  | { name: 'finished'; target: Endpoint; notes: string[]; checks: CheckResult[]; from: TokenFrom };

type TokenFrom = TargetToken['from'];

type FinishedChoice = 'edit' | 'retry' | 'back' | 'next';

export interface ConnectViewProps {
  phase: ConnectPhase;
  /** The URL Enter alone takes (the one tested before, or .env's). */
  known?: string;
  /** The checks so far, in order. */
  checks: CheckResult[];
  /** The tokens on offer; empty: the token is typed. */
  offers: TokenOffer[];
  /** Whether the first offer is focused (false: Enter alone chooses nothing). */
  preselect?: boolean;
  on: {
    url: (typed: string) => void;
    offer: (value: TokenOffer['value']) => void;
    token: (typed: string) => void;
    finished: (choice: FinishedChoice) => void;
  };
}

const MARK = { pass: '✓', fail: '✗', warn: '!', skip: '–' } as const;
const COLOR = { pass: 'green', fail: 'red', warn: 'yellow', skip: 'gray' } as const;

/** Step 3 as the user sees it: URL, token, then each check with its fix. */
export function ConnectView({ phase, known, checks, offers, preselect = true, on }: ConnectViewProps) {
  switch (phase.name) {
    case 'url':
      return <UrlPrompt key={String(phase.error ?? '')} known={known} typed={phase.typed} error={phase.error} onSubmit={on.url} />;
    case 'token':
      return (
        <Box flexDirection="column">
          {phase.notes.map((note) => (
            <Para key={note} mark="! " color="yellow">
              {note}
            </Para>
          ))}
          {offers.length > 0 ? (
            <>
              <Para bold>Step 3 · Token for {phase.url}:</Para>
              <Select options={offers} preselect={preselect} onChange={(value) => on.offer(value as TokenOffer['value'])} />
            </>
          ) : (
            <>
              <Para bold>Step 3 · Token for {phase.url} (hidden; Enter for none):</Para>
              <LineInput mask onSubmit={on.token} />
            </>
          )}
        </Box>
      );
    case 'running':
      return (
        <Box flexDirection="column">
          <Para bold>Step 3 · Testing {phase.target.url}</Para>
          <Checks checks={checks} />
        </Box>
      );
    case 'finished': {
      const failed = phase.checks.some((check) => check.status === 'fail');
      return (
        <Box flexDirection="column">
          <Para bold>Step 3 · {phase.target.url}</Para>
          <Checks checks={checks} />
          <Select
            options={
              failed
                ? [
                    { label: 'Edit the URL or token', value: 'edit' },
                    { label: 'Retry', value: 'retry' },
                    { label: 'Back to step 2', value: 'back' },
                  ]
                : [{ label: 'Continue to step 4: update .env', value: 'next' }]
            }
            onChange={(value) => on.finished(value as FinishedChoice)}
          />
        </Box>
      );
    }
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}

/** The URL prompt; its error goes once the text changes. */
function UrlPrompt({ known, typed, error, onSubmit }: { known?: string; typed?: string; error?: unknown; onSubmit: (typed: string) => void }) {
  const [edited, setEdited] = useState(false);
  return (
    <Box flexDirection="column">
      <Para bold>Step 3 · Server URL{known ? ` (Enter for ${known})` : ''}:</Para>
      <LineInput defaultValue={typed} placeholder={known ?? 'https://your-chroma.up.railway.app'} onSubmit={onSubmit} onChange={() => setEdited(true)} />
      {error && !edited ? <ErrorBox error={error} /> : null}
    </Box>
  );
}

function Checks({ checks }: { checks: CheckResult[] }) {
  return (
    <Box flexDirection="column">
      {checks.map((check) => (
        <Box key={check.id} flexDirection="column">
          <Para mark={`${MARK[check.status]} `} color={COLOR[check.status]}>
            {check.title}: {check.detail}
          </Para>
          {check.fix && check.status !== 'pass' ? (
            <Para mark="  → " color="yellow">
              {check.fix}
            </Para>
          ) : null}
        </Box>
      ))}
    </Box>
  );
}
