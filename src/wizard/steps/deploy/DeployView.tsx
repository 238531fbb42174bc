import { Box, Text } from 'ink';
import { Select } from '../../components/Select.js';
import { CHROMA_IMAGE, type DeployHost } from '../../../core/deploy/guide.js';
import type { KeptToken } from '../../../core/deploy/keep-token.js';
import { FailureChoices } from '../../components/FailureChoices.js';
import { Para } from '../../components/Para.js';
import { PortQuestion, type PortAsked } from './PortQuestion.js';
import { tokenHome } from './token.js';

export type DeployPhase =
  | { name: 'choose' }
  /** The token for the proxy, made (or found waiting in .env) and kept in .env before the guide shows it. */
  | { name: 'making-token'; host: DeployHost }
  | { name: 'guide'; host: DeployHost; token: string; kept: KeptToken }
  /** Finding the port to offer: the one .env points at, else 8000, or the first free one after it. */
  | { name: 'finding-port' }
  | ({ name: 'port' } & PortAsked)
  /** The port typed, checked before the server starts. */
  | { name: 'checking-port'; port: number }
  | { name: 'starting'; port: number }
  | { name: 'failed'; error: unknown; local?: boolean };

type HostChoice = DeployHost | 'local' | 'skip';

export interface DeployViewProps {
  phase: DeployPhase;
  on: {
    host: (choice: HostChoice) => void;
    deployed: () => void;
    /** Back to the list of hosts. */
    choose: () => void;
    /** The port as typed (empty: the one offered). */
    port: (typed: string) => void;
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
    case 'making-token':
      return <Text>Making the token for the proxy…</Text>;
    case 'guide':
      return <Guide host={phase.host} token={phase.token} kept={phase.kept} onChoose={(value) => (value === 'done' ? on.deployed() : on.choose())} />;
    case 'finding-port':
      return <Text>Looking for a free port…</Text>;
    case 'port':
      // Keyed by what is said: a new problem starts the line afresh.
      return <PortQuestion key={`${phase.suggested}:${phase.problem ?? ''}`} asked={phase} onSubmit={on.port} />;
    case 'checking-port':
      return <Text>Checking port {phase.port}…</Text>;
    case 'starting':
      return <Text>Starting a local Chroma server on port {phase.port} (data in ./chroma-data)…</Text>;
    case 'failed': {
      const options = [...(phase.local ? [{ label: 'Try another port', value: 'port' }] : []), { label: 'Choose another way', value: 'back' }];
      return <FailureChoices error={phase.error} options={options} onChange={(value) => (value === 'port' ? on.host('local') : on.choose())} />;
    }
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}

function Guide({ host, token, kept, onChoose }: { host: DeployHost; token: string; kept: KeptToken; onChoose: (value: string) => void }) {
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
      {/* One line when kept: the guide fills a 24-row terminal as it is. */}
      <Para>Token for the proxy ({kept.kept ? 'kept in your .env; your app uses it from step 4 on' : 'shown once, copy it now'}):</Para>
      <Text color="yellow">  {token}</Text>
      {kept.kept ? null : (
        <Para mark="! " color="yellow">
          Not saved in your .env: {kept.why}. chroma-migrate keeps no copy: if you stop before step 4, find it {tokenHome(host)}.
        </Para>
      )}
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
