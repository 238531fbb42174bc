import { resolve } from 'node:path';
import { useState } from 'react';
import { endpoint } from '../../../core/chroma/endpoint.js';
import { DEFAULT_LOCAL_PORT, localPortInEnv } from '../../../core/local-server/local-port.js';
import type { StepProps } from '../../session.js';
import { useStepTask } from '../../use-step-task.js';
import { DeployView, type DeployPhase } from './DeployView.js';

/** Step 2's work: a local server found a free port and started, or the guide for another host. */
export function DeployStep({ services, session, update, dispatch, setBusy }: StepProps) {
  const [phase, setPhase] = useState<DeployPhase>({ name: 'choose' });

  useStepTask(
    phase.name === 'starting' || phase.name === 'checking-port' ? phase : null,
    async (task, { live }) => {
      const existing = session.localServer;
      if (!existing && task.name === 'checking-port') {
        // The port .env already points at on this machine, else Chroma's usual 8000.
        const wanted = localPortInEnv({ ...(await services.readEnvFile()), ...services.env }) ?? DEFAULT_LOCAL_PORT;
        const taken = await services.portIsTaken(wanted);
        const next = taken ? await services.nextFreePort(wanted) : wanted;
        if (live()) setPhase(taken ? { name: 'port-taken', taken: wanted, next } : { name: 'starting', port: wanted });
        return;
      }
      const port = task.name === 'starting' ? task.port : DEFAULT_LOCAL_PORT;
      const server = existing ?? (await services.startChromaServer({ path: resolve(services.cwd, 'chroma-data'), port }));
      if (!live()) return;
      update({ localServer: server, target: endpoint({ url: server.url }) });
      dispatch({ type: 'step-done', step: 'deploy', detail: `local server ${server.url}` });
    },
    { setBusy, onError: (error) => setPhase({ name: 'failed', error }) },
  );

  return (
    <DeployView
      phase={phase}
      on={{
        host: (value) => {
          if (value === 'local') setPhase({ name: 'checking-port' });
          else if (value === 'skip') dispatch({ type: 'step-skipped', step: 'deploy', detail: 'already deployed' });
          else {
            const token = session.deployToken ?? services.newToken();
            update({ deployToken: token });
            setPhase({ name: 'guide', host: value, token });
          }
        },
        deployed: () => phase.name === 'guide' && dispatch({ type: 'step-done', step: 'deploy', detail: phase.host }),
        choose: () => setPhase({ name: 'choose' }),
        startOn: (port) => setPhase({ name: 'starting', port }),
      }}
    />
  );
}
