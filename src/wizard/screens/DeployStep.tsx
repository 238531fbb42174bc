import { resolve } from 'node:path';
import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { Select } from '@inkjs/ui';
import { endpoint } from '../../core/chroma/endpoint.js';
import { CHROMA_IMAGE, type DeployHost } from '../../core/deploy-guide.js';
import { freePort, portIsTaken } from '../../core/server/chroma-server.js';
import { FailureChoices } from '../components/FailureChoices.js';
import { Para } from '../components/Para.js';
import type { StepProps } from '../session.js';

type Phase = { name: 'choose' } | { name: 'guide'; host: DeployHost; token: string } | { name: 'starting' } | { name: 'failed'; error: unknown };

/** The essentials on one screen; the full text is one command away. */
// One string a paragraph: they wrap to the terminal's width, numbered ones under their text.
const ESSENTIALS: Record<DeployHost, string[]> = {
  railway: [
    `1. Deploy the image ${CHROMA_IMAGE} with a volume mounted at /data (/chroma/chroma, the old path, loses your data on every redeploy).`,
    '2. Put a token-checking Caddy proxy in front: Chroma 1.x ignores CHROMA_SERVER_AUTHN_*, so without it anyone can read and delete your data.',
    '3. Give only the proxy a public domain: HTTPS on port 443, not :8000.',
  ],
  docker: [
    `docker run -d -p 127.0.0.1:8000:8000 -v ./chroma-data:/data ${CHROMA_IMAGE}`,
    'Publish it through a token-checking proxy, never port 8000 directly.',
  ],
  other: [`Run ${CHROMA_IMAGE} with storage at /data behind a token-checking HTTPS proxy.`],
};

export function DeployStep({ services, session, update, dispatch, setBusy }: StepProps) {
  const [phase, setPhase] = useState<Phase>({ name: 'choose' });

  useEffect(() => {
    setBusy(phase.name === 'starting');
    if (phase.name !== 'starting') return;
    let cancelled = false;
    (async () => {
      const existing = session.localServer;
      const server = existing ?? (await services.startChromaServer({ path: resolve(services.cwd, 'chroma-data'), port: (await portIsTaken(8000)) ? await freePort() : 8000 }));
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
              { label: 'Another host', value: 'other' },
              { label: 'Start a local Chroma server for me (on this machine)', value: 'local' },
              { label: 'It is already deployed: skip to the connection test', value: 'skip' },
            ]}
            onChange={(value) => {
              if (value === 'local') setPhase({ name: 'starting' });
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
          <Text bold>Step 2 · Deploy on {phase.host === 'railway' ? 'Railway' : phase.host === 'docker' ? 'Docker' : 'your host'}</Text>
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
          <Para dim>Every step in full: chroma-migrate deploy-guide --host {phase.host}</Para>
          <Select
            options={[
              { label: 'It is deployed: test the connection', value: 'done' },
              { label: 'Choose another host', value: 'back' },
            ]}
            onChange={(value) => (value === 'done' ? dispatch({ type: 'step-done', step: 'deploy', detail: phase.host }) : setPhase({ name: 'choose' }))}
          />
        </Box>
      );
    case 'starting':
      return <Text>Starting a local Chroma server (data in ./chroma-data)…</Text>;
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
