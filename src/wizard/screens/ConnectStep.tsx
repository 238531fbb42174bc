import { useEffect, useState } from 'react';
import { Box } from 'ink';
import { Select } from '@inkjs/ui';
import { LineInput } from '../components/LineInput.js';
import { endpoint, type Endpoint } from '../../core/chroma/endpoint.js';
import { parseChromaUrl } from '../../core/chroma/url.js';
import { resolveTarget } from '../../core/chroma/connection.js';
import type { CheckResult } from '../../core/chroma/probe.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Para } from '../components/Para.js';
import type { StepProps } from '../session.js';
import { tokenOffers } from '../token-offers.js';

type Phase =
  | { name: 'url'; error?: unknown; typed?: string }
  | { name: 'token'; url: string; notes: string[] }
  | { name: 'running'; target: Endpoint; notes: string[] }
  | { name: 'finished'; target: Endpoint; notes: string[]; checks: CheckResult[] };

const MARK = { pass: '✓', fail: '✗', warn: '!', skip: '–' } as const;
const COLOR = { pass: 'green', fail: 'red', warn: 'yellow', skip: 'gray' } as const;

export function ConnectStep({ services, session, update, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<Phase>({ name: 'url' });
  const [checks, setChecks] = useState<CheckResult[]>([]);
  const known = session.target?.url ?? (services.env.CHROMA_HOST ? resolveTarget({}, services.env).target.url : undefined);

  useEffect(() => {
    setBusy(phase.name === 'running');
    if (phase.name !== 'running') return;
    let cancelled = false;
    const found: CheckResult[] = [];
    setChecks([]);
    (async () => {
      for await (const check of services.probe(phase.target, { signal })) {
        if (cancelled) return;
        found.push(check);
        setChecks([...found]);
      }
      if (!cancelled) setPhase({ name: 'finished', target: phase.target, notes: phase.notes, checks: found });
    })().catch((error: unknown) => !cancelled && setPhase({ name: 'url', error, typed: phase.target.url }));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [phase]);

  const submitUrl = (raw: string) => {
    const value = raw.trim() || known;
    if (!value) return;
    try {
      const parsed = parseChromaUrl(value);
      setPhase({ name: 'token', url: parsed.url, notes: parsed.notes });
    } catch (error) {
      // The text stays as typed, to be mended rather than typed again.
      setPhase({ name: 'url', error, typed: raw });
    }
  };
  const withToken = (url: string, notes: string[], token: string | undefined) =>
    setPhase({ name: 'running', target: endpoint({ url, token: token || undefined }), notes });

  const list = (
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

  switch (phase.name) {
    case 'url':
      return (
        <Box flexDirection="column">
          <Para bold>Step 3 · Server URL{known ? ` (Enter for ${known})` : ''}:</Para>
          <LineInput key={String(phase.error ?? '')} defaultValue={phase.typed} placeholder={known ?? 'https://your-chroma.up.railway.app'} onSubmit={submitUrl} />
          {phase.error ? <ErrorBox error={phase.error} /> : null}
        </Box>
      );
    case 'token': {
      const fromEnv = services.env.CHROMA_AUTH_TOKEN;
      const offers = tokenOffers(phase.url, { deployToken: session.deployToken, envToken: fromEnv, envUrl: known && services.env.CHROMA_HOST ? resolveTarget({}, services.env).target.url : undefined });
      return (
        <Box flexDirection="column">
          {phase.notes.map((note) => (
            <Para key={note} mark="! " color="yellow">
              {note}
            </Para>
          ))}
          {session.deployToken || fromEnv ? (
            <>
              <Para bold>Step 3 · Token for {phase.url}:</Para>
              <Select
                options={offers}
                onChange={(value) => {
                  if (value === 'type') setPhase({ name: 'token', url: phase.url, notes: [] });
                  else withToken(phase.url, phase.notes, value === 'deploy' ? session.deployToken : value === 'env' ? fromEnv : undefined);
                }}
              />
            </>
          ) : (
            <>
              <Para bold>Step 3 · Token for {phase.url} (hidden; Enter for none):</Para>
              <LineInput mask onSubmit={(token) => withToken(phase.url, phase.notes, token.trim())} />
            </>
          )}
        </Box>
      );
    }
    case 'running':
      return (
        <Box flexDirection="column">
          <Para bold>Step 3 · Testing {phase.target.url}</Para>
          {list}
        </Box>
      );
    case 'finished': {
      const failed = phase.checks.some((check) => check.status === 'fail');
      return (
        <Box flexDirection="column">
          <Para bold>Step 3 · {phase.target.url}</Para>
          {list}
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
            onChange={(value) => {
              if (value === 'edit') setPhase({ name: 'url', typed: phase.target.url });
              else if (value === 'retry') setPhase({ name: 'running', target: phase.target, notes: phase.notes });
              else if (value === 'back') dispatch({ type: 'back' });
              else {
                update({ target: phase.target });
                dispatch({ type: 'step-done', step: 'connect', detail: phase.target.url });
              }
            }}
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
