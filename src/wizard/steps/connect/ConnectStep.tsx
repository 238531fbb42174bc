import { useState } from 'react';
import { endpoint } from '../../../core/chroma/endpoint.js';
import { parseChromaUrl } from '../../../core/chroma/url.js';
import { resolveTarget } from '../../../core/chroma/connection.js';
import type { CheckResult } from '../../../core/chroma/probe.js';
import type { StepProps } from '../../session.js';
import type { TargetToken } from '../../../core/state/schema.js';
import { tokenOffers } from '../../token-offers.js';
import { useStepTask } from '../../use-step-task.js';
import { ConnectView, type ConnectPhase } from './ConnectView.js';

/** Step 3's work: the checks against the server, one by one as they finish. */
export function ConnectStep({ services, session, update, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<ConnectPhase>({ name: 'url' });
  const [checks, setChecks] = useState<CheckResult[]>([]);
  const envUrl = services.env.CHROMA_HOST ? resolveTarget({}, services.env).target.url : undefined;
  const known = session.target?.url ?? envUrl;
  const fromEnv = services.env.CHROMA_AUTH_TOKEN;

  useStepTask(
    phase.name === 'running' ? phase : null,
    async (task, { live }) => {
      const found: CheckResult[] = [];
      setChecks([]);
      for await (const check of services.probe(task.target, { signal })) {
        if (!live()) return;
        found.push(check);
        services.log(`connect: ${check.status} ${check.title}: ${check.detail}${check.fix && check.status !== 'pass' ? ` → ${check.fix}` : ''}`);
        setChecks([...found]);
      }
      if (live()) setPhase({ name: 'finished', target: task.target, notes: task.notes, checks: found, from: task.from });
    },
    { setBusy, onError: (error, task) => setPhase({ name: 'url', error, typed: task.target.url }) },
  );

  const withToken = (url: string, notes: string[], token: string | undefined, from: TargetToken['from']) =>
    setPhase({ name: 'running', target: endpoint({ url, token: token || undefined }), notes, from: token ? from : 'none' });
  const offered = phase.name === 'token' && !phase.typing && (session.deployToken || fromEnv) ? tokenOffers(phase.url, { deployToken: session.deployToken, envToken: fromEnv, envUrl: known ? envUrl : undefined }) : { offers: [], preselect: true };
  return (
    <ConnectView
      phase={phase}
      known={known}
      checks={checks}
      offers={offered.offers}
      preselect={offered.preselect}
      on={{
        url: (raw) => {
          const value = raw.trim() || known;
          if (!value) return;
          try {
            const parsed = parseChromaUrl(value);
            setPhase({ name: 'token', url: parsed.url, notes: parsed.notes });
          } catch (error) {
            // The text stays as typed, to be mended rather than typed again.
            setPhase({ name: 'url', error, typed: raw });
          }
        },
        offer: (value) => {
          if (phase.name !== 'token') return;
          if (value === 'type') setPhase({ name: 'token', url: phase.url, notes: [], typing: true });
          else if (value === 'deploy') withToken(phase.url, phase.notes, session.deployToken, 'deploy');
          else if (value === 'env') withToken(phase.url, phase.notes, fromEnv, 'env');
          else withToken(phase.url, phase.notes, undefined, 'none');
        },
        token: (token) => phase.name === 'token' && withToken(phase.url, phase.notes, token.trim(), 'typed'),
        finished: (choice) => {
          if (phase.name !== 'finished') return;
          if (choice === 'edit') setPhase({ name: 'url', typed: phase.target.url });
          else if (choice === 'retry') setPhase({ name: 'running', target: phase.target, notes: phase.notes, from: phase.from });
          else if (choice === 'back') dispatch({ type: 'back' });
          else {
            update({ target: phase.target, targetToken: { url: phase.target.url, from: phase.from }, tokenLost: false });
            dispatch({ type: 'step-done', step: 'connect', detail: phase.target.url });
          }
        },
      }}
    />
  );
}
