import { resolve } from 'node:path';
import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { Select } from '@inkjs/ui';
import { endpoint } from '../../core/chroma/endpoint.js';
import { CHROMA_IMAGE, type DeployHost } from '../../core/deploy/guide.js';
import { loadEnv } from '../../core/chroma/connection.js';
import { portIsTaken } from '../../core/local-server/chroma-server.js';
import { DEFAULT_LOCAL_PORT, localPortInEnv, nextFreePort } from '../../core/local-server/local-port.js';
import { FailureChoices } from '../components/FailureChoices.js';
import { Para } from '../components/Para.js';
import type { StepProps } from '../session.js';

type Phase =
  | { name: 'choose' }
  | { name: 'guide'; host: DeployHost; token: string }
  | { name: 'checking-port' }
  /** The port the user expects is taken: say so and offer the next free one. */
  | { name: 'port-taken'; taken: number; next: number }
  | { name: 'starting'; port: number }
  | { name: 'failed'; error: unknown };

/** The essentials on one screen; the full text is one command away. */
// One string a paragraph: they wrap to the terminal's width, numbered ones under their text.
const ESSENTIALS: Record<DeployHost, string[]> = {
  railway: [
    `1. Deploy the image ${CHROMA_IMAGE} with a volume mounted at /data (/chroma/chroma, the old path, loses your data on every redeploy).`,
    '2. Put a token-checking Caddy proxy in front: Chroma 1.x ignores CHROMA_SERVER_AUTHN_*, so without it anyone can read and delete your data.',
    '3. Give only the proxy a public domain: HTTPS on port 443, not :8000.',
  ],
  docker: [
    `compose.yaml: ${CHROMA_IMAGE} with its data on a volume at /data, reachable only`,
    'through a token-checking Caddy proxy that serves HTTPS on your domain.',
  ],
  vm: [
    `A VM with Docker: ${CHROMA_IMAGE} with its data at /data, behind a token-checking`,
    'Caddy proxy serving HTTPS on your domain; open only ports 80 and 443.',
  ],
};

export function DeployStep({ services, session, update, dispatch, setBusy }: StepProps) {
  const [phase, setPhase] = useState<Phase>({ name: 'choose' });

  useEffect(() => {
    setBusy(phase.name === 'starting');
    if (phase.name !== 'starting' && phase.name !== 'checking-port') return;
    let cancelled = false;
    (async () => {
      const existing = session.localServer;
      if (!existing && phase.name === 'checking-port') {
        // The port .env already points at on this machine, else Chroma's usual 8000.
        const wanted = localPortInEnv(loadEnv(services.envFile, services.env)) ?? DEFAULT_LOCAL_PORT;
        const taken = await portIsTaken(wanted);
        const next = taken ? await nextFreePort(wanted) : wanted;
        if (!cancelled) setPhase(taken ? { name: 'port-taken', taken: wanted, next } : { name: 'starting', port: wanted });
        return;
      }
      const port = phase.name === 'starting' ? phase.port : DEFAULT_LOCAL_PORT;
      const server = existing ?? (await services.startChromaServer({ path: resolve(services.cwd, 'chroma-data'), port }));
      if (cancelled) return;
      update({ localServer: server, target: endpoint({ url: server.url }) });
      dispatch({ type: 'step-done', step: 'deploy', detail: `local server ${server.url}` });
    })().catch((error: unknown) => !cancelled && setPhase({ name: 'failed', error }));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [phase]);

  switch (phase.name) {
    case 'choose':
      return (
        <Box flexDirection="column">
          <Text bold>Step 2 · Where will your Chroma server run?</Text>
          <Select
            options={[
              { label: 'Railway (the usual choice, about $10–13 a month vs $29 for Cloud Starter)', value: 'railway' },
              { label: 'Docker on a server or VM', value: 'docker' },
              { label: 'A new VM from any cloud (Docker Compose)', value: 'vm' },
              { label: 'Start a local Chroma server for me (on this machine)', value: 'local' },
              { label: 'It is already deployed: skip to the connection test', value: 'skip' },
            ]}
            onChange={(value) => {
              if (value === 'local') setPhase({ name: 'checking-port' });
              else if (value === 'skip') dispatch({ type: 'step-skipped', step: 'deploy', detail: 'already deployed' });
              else {
                const token = session.deployToken ?? services.newToken();
                update({ deployToken: token });
                setPhase({ name: 'guide', host: value as DeployHost, token });
              }
            }}
          />
        </Box>
      );
    case 'guide':
      return (
        <Box flexDirection="column">
          <Text bold>Step 2 · Deploy on {phase.host === 'railway' ? 'Railway' : phase.host === 'docker' ? 'Docker' : 'a VM'}</Text>
          {ESSENTIALS[phase.host].map((line) => {
            const number = /^\d+\. /.exec(line)?.[0];
            return (
              <Para key={line} mark={number}>
                {number ? line.slice(number.length) : line}
              </Para>
            );
          })}
          <Text>Token for the proxy (shown once, copy it now):</Text>
          <Text color="yellow">  {phase.token}</Text>
          <Para dim>Files and steps: chroma-migrate deploy-guide --host {phase.host} --write ./deploy</Para>
          <Select
            options={[
              { label: 'It is deployed: test the connection', value: 'done' },
              { label: 'Choose another host', value: 'back' },
            ]}
            onChange={(value) => (value === 'done' ? dispatch({ type: 'step-done', step: 'deploy', detail: phase.host }) : setPhase({ name: 'choose' }))}
          />
        </Box>
      );
    case 'checking-port':
      return <Text>Looking for a free port…</Text>;
    case 'port-taken':
      return (
        <Box flexDirection="column">
          <Text color="yellow">Port {phase.taken} is already in use by another program on this machine.</Text>
          <Select
            options={[
              { label: `Start the local Chroma server on port ${phase.next} instead`, value: 'next' },
              { label: 'Choose another way', value: 'back' },
            ]}
            onChange={(value) => setPhase(value === 'next' ? { name: 'starting', port: phase.next } : { name: 'choose' })}
          />
        </Box>
      );
    case 'starting':
      return <Text>Starting a local Chroma server on port {phase.port} (data in ./chroma-data)…</Text>;
    case 'failed':
      return (
        <FailureChoices
          error={phase.error}
          options={[{ label: 'Choose another way', value: 'back' }]}
          onChange={() => setPhase({ name: 'choose' })}
        />
      );
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}
