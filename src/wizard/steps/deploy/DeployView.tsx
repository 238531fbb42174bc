import { Box, Text } from 'ink';
import { Select } from '../../components/Select.js';
import { CHROMA_IMAGE, type DeployHost } from '../../../core/deploy/guide.js';
import { FailureChoices } from '../../components/FailureChoices.js';
import { Para } from '../../components/Para.js';

export type DeployPhase =
  | { name: 'choose' }
  | { name: 'guide'; host: DeployHost; token: string }
  | { name: 'checking-port' }
  /** The port the user expects is taken: say so and offer the next free one. */
  | { name: 'port-taken'; taken: number; next: number }
  | { name: 'starting'; port: number }
  | { name: 'failed'; error: unknown };

type HostChoice = DeployHost | 'local' | 'skip';

export interface DeployViewProps {
  phase: DeployPhase;
  on: {
    host: (choice: HostChoice) => void;
    deployed: () => void;
    /** Back to the list of hosts. */
    choose: () => void;
    startOn: (port: number) => void;
  };
}

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

const HOSTS = [
  { label: 'Railway (the usual choice, about $10–13 a month vs $29 for Cloud Starter)', value: 'railway' },
  { label: 'Docker on a server or VM', value: 'docker' },
  { label: 'A new VM from any cloud (Docker Compose)', value: 'vm' },
  { label: 'Start a local Chroma server for me (on this machine)', value: 'local' },
  { label: 'It is already deployed: skip to the connection test', value: 'skip' },
];

/** Step 2 as the user sees it: where the server runs, and the essentials of deploying it there. */
export function DeployView({ phase, on }: DeployViewProps) {
  switch (phase.name) {
    case 'choose':
      return (
        <Box flexDirection="column">
          <Text bold>Step 2 · Where will your Chroma server run?</Text>
          <Select options={HOSTS} onChange={(value) => on.host(value as HostChoice)} />
        </Box>
      );
    case 'guide':
      return <Guide host={phase.host} token={phase.token} onChoose={(value) => (value === 'done' ? on.deployed() : on.choose())} />;
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
            onChange={(value) => (value === 'next' ? on.startOn(phase.next) : on.choose())}
          />
        </Box>
      );
    case 'starting':
      return <Text>Starting a local Chroma server on port {phase.port} (data in ./chroma-data)…</Text>;
    case 'failed':
      return <FailureChoices error={phase.error} options={[{ label: 'Choose another way', value: 'back' }]} onChange={on.choose} />;
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}

function Guide({ host, token, onChoose }: { host: DeployHost; token: string; onChoose: (value: string) => void }) {
  return (
    <Box flexDirection="column">
      <Text bold>Step 2 · Deploy on {host === 'railway' ? 'Railway' : host === 'docker' ? 'Docker' : 'a VM'}</Text>
      {ESSENTIALS[host].map((line) => {
        const number = /^\d+\. /.exec(line)?.[0];
        return (
          <Para key={line} mark={number}>
            {number ? line.slice(number.length) : line}
          </Para>
        );
      })}
      <Text>Token for the proxy (shown once, copy it now):</Text>
      <Text color="yellow">  {token}</Text>
      <Para dim>Files and steps: chroma-migrate deploy-guide --host {host} --write ./deploy</Para>
      <Select
        options={[
          { label: 'It is deployed: test the connection', value: 'done' },
          { label: 'Choose another host', value: 'back' },
        ]}
        onChange={onChoose}
      />
    </Box>
  );
}
