import { resolve } from 'node:path';
import { useEffect, useState } from 'react';
import { endpoint } from '../../../core/chroma/endpoint.js';
import { DEFAULT_LOCAL_PORT, localPortInEnv, parsePort, type PortProblem } from '../../../core/local-server/local-port.js';
import { describePortProblem } from '../../../present/port-problem.js';
import type { WizardServices } from '../../services.js';
import type { StepProps } from '../../session.js';
import { useStepTask } from '../../use-step-task.js';
import { DeployView, type DeployPhase } from './DeployView.js';
import type { PortAsked } from './PortQuestion.js';
import { tokenForGuide } from './token.js';

/** Step 2's work: a local server on the port the user chose, or the guide for another host. */
export function DeployStep({ services, session, update, dispatch, setBusy, setEscape }: StepProps) {
  const [phase, setPhase] = useState<DeployPhase>({ name: 'choose' });
  // Esc on a question inside the step goes back to the list of hosts; on the list, to step 1.
  const inside = phase.name === 'port' || phase.name === 'guide' || phase.name === 'failed';
  useEffect(() => {
    setEscape(inside ? () => setPhase({ name: 'choose' }) : null);
    return () => setEscape(null);
  }, [inside, setEscape]);

  useStepTask(phase.name === 'making-token' ? phase : null, async (task, { live }) => {
    const { token, kept } = await tokenForGuide(services, session.deployToken);
    if (!live()) return;
    update({ deployToken: token, tokenNotKept: kept.kept ? undefined : task.host });
    setPhase({ name: 'guide', host: task.host, token, kept });
  }, { setBusy, onError: (error) => setPhase({ name: 'failed', error }) });

  useStepTask(
    phase.name === 'finding-port' || phase.name === 'checking-port' || phase.name === 'starting' ? phase : null,
    async (task, { live }) => {
      if (task.name === 'finding-port') {
        const asked = await portToOffer(services);
        if (live()) setPhase({ name: 'port', ...asked });
        return;
      }
      if (task.name === 'checking-port') {
        const problem = await services.portProblem(task.port);
        const next = problem ? await services.nextFreePort(task.port) : task.port;
        if (live()) setPhase(problem ? { name: 'port', suggested: next, problem: problemWords(task.port, problem) } : { name: 'starting', port: task.port });
        return;
      }
      const server = await services.startChromaServer({ path: resolve(services.cwd, 'chroma-data'), port: task.port });
      if (!live()) return;
      update({ localServer: server, target: endpoint({ url: server.url }), tokenLost: false });
      dispatch({ type: 'step-done', step: 'deploy', detail: `local server ${server.url}` });
    },
    { setBusy, onError: (error) => setPhase({ name: 'failed', error, local: true }) },
  );

  const local = () => {
    // A server this wizard already started is the answer: no second one, no question.
    const running = session.localServer;
    if (running) dispatch({ type: 'step-done', step: 'deploy', detail: `local server ${running.url}` });
    else setPhase({ name: 'finding-port' });
  };
  return (
    <DeployView
      phase={phase}
      on={{
        host: (value) => {
          if (value === 'local') local();
          else if (value === 'skip') dispatch({ type: 'step-skipped', step: 'deploy', detail: 'already deployed' });
          else setPhase({ name: 'making-token', host: value });
        },
        deployed: () => phase.name === 'guide' && dispatch({ type: 'step-done', step: 'deploy', detail: phase.host }),
        choose: () => setPhase({ name: 'choose' }),
        port: (typed) => {
          if (phase.name !== 'port') return;
          if (typed.trim() === '') return setPhase({ name: 'checking-port', port: phase.suggested });
          const port = parsePort(typed);
          if (port === null) setPhase({ ...phase, typed, problem: `"${typed.trim()}" is not a port: type a whole number from 1 to 65535.` });
          else setPhase({ name: 'checking-port', port });
        },
      }}
    />
  );
}

/** The port .env points at when it is this machine, else Chroma's usual 8000; the first free one after it when taken. */
async function portToOffer(services: WizardServices): Promise<PortAsked> {
  const fromEnv = localPortInEnv({ ...(await services.readEnvFile()), ...services.env });
  const wanted = fromEnv ?? DEFAULT_LOCAL_PORT;
  const problem = await services.portProblem(wanted);
  if (!problem) return { suggested: wanted, fromEnv: fromEnv !== null };
  const words = problemWords(wanted, problem);
  // Step 4 points .env at the port chosen here; said so the user is not surprised by the change.
  const envNote = fromEnv !== null ? ' Your .env points at it: step 4 points it at the port you choose here.' : '';
  return { suggested: await services.nextFreePort(wanted), problem: `${words}${envNote}` };
}

function problemWords(port: number, problem: PortProblem): string {
  const said = `${describePortProblem(port, problem)}.`;
  return problem === 'chroma' ? `${said} To use that one, press Esc and choose "It is already deployed".` : said;
}
