import { useState } from 'react';
import type { AppNeeds } from '../../../core/collection/app-needs.js';
import type { Exposure } from '../../../core/chroma/probe.js';
import { localPortInEnv } from '../../../core/local-server/local-port.js';
import type { TargetPlace } from '../../../core/chroma/endpoint.js';
import { placeInState } from '../../../core/state/target-place.js';
import type { WizardState } from '../../machine.js';
import { currentTarget, sameServer } from '../../target.js';
import type { StepProps } from '../../session.js';
import { useStepTask } from '../../use-step-task.js';
import { DoneView, type Code } from './DoneView.js';

/** The last screen's work: is the server open to the internet, what the app needs, where .env points. */
export function DoneScreen({ state, session, services, onExit }: Pick<StepProps, 'session' | 'services'> & { state: WizardState; onExit: () => void }) {
  const [risk, setRisk] = useState<Exposure>('unknown');
  const [shown, setShown] = useState<Code[]>([]);
  const [leaving, setLeaving] = useState<'kept' | 'stopped' | null>(null);
  const [needs, setNeeds] = useState<Array<{ collection: string; needs: AppNeeds }>>([]);
  const [envPort, setEnvPort] = useState<number | null | undefined>(undefined);
  const [place, setPlace] = useState<TargetPlace>({});
  // Keep or stop is offered only for the server this wizard started and the data went to: a
  // server started elsewhere (step 2 "already deployed") is not ours to stop, and keeps running.
  const target = currentTarget(session, services);
  const ours = session.localServer;
  const server = ours && sameServer(ours.url, target.url) ? ours : undefined;

  useStepTask(session, async (now, { live }) => {
    const target = currentTarget(now, services);
    const env = await services.readEnvFile();
    if (live()) setEnvPort(localPortInEnv(env));
    // Where the import put the data on this server, for the client code; unknown is the default place.
    const saved = await services.readState().catch(() => undefined);
    if (saved && live()) setPlace(placeInState(saved, target.url));
    void services.exposure(target).then((found) => live() && setRisk(found));
    // What the app needs for the embedding functions the moved collections carry.
    await services.appNeedsOnServer(services.api(target)).then(
      (found) => live() && setNeeds(found),
      () => undefined,
    );
  });
  // Leave once the last words are on screen: Ink keeps the final frame.
  useStepTask(leaving, () => onExit());

  return (
    <DoneView
      verified={state.steps.verify === 'done'}
      risk={risk}
      needs={needs}
      shown={shown}
      place={place}
      server={server}
      elsewhere={server ? undefined : target.url}
      unusedLocal={server ? undefined : ours?.url}
      envPointsHere={envPort === undefined ? null : server ? envPort === server.port : false}
      leaving={leaving}
      onChoose={(value) => {
        if (value === 'python' || value === 'js') setShown((now) => (now.includes(value) ? now : [...now, value]));
        else if (value === 'keep' && server) {
          services.keepServerRunning(server);
          setLeaving('kept');
        } else if (value === 'stop' && server) setLeaving('stopped');
        else onExit();
      }}
    />
  );
}
