import { Box, Static, Text } from 'ink';
import { Select } from '../../components/Select.js';
import { jsClient, pythonClient } from '../../../present/app-snippets.js';
import type { TargetPlace } from '../../../core/chroma/endpoint.js';
import { describeAppNeeds, groupAppNeeds, type AppNeeds } from '../../../core/collection/app-needs.js';
import { shellWord, shown } from '../../../core/util/format.js';
import { OPEN_SERVER_WARNING, type Exposure } from '../../../core/chroma/probe.js';
import { Para } from '../../components/Para.js';

export type Code = 'python' | 'js';
type DoneChoice = Code | 'keep' | 'stop' | 'exit';

/** The local server the wizard started, as the last screen talks about it. */
interface LocalServerView {
  url: string;
  path: string;
  port: number;
  pid: number;
}

export interface DoneViewProps {
  verified: boolean;
  risk: Exposure;
  needs: Array<{ collection: string; needs: AppNeeds }>;
  /** Client code the user asked to see, printed above the live frame. */
  shown: Code[];
  /** Where the data is on the server, when the runs put it in another tenant or database: the code then names them. */
  place?: TargetPlace;
  server?: LocalServerView;
  /** The server the data went to when this wizard did not start it: it keeps running, nothing to choose. */
  elsewhere?: string;
  /** A local server this wizard started that the data did not go to: it stops on the way out. */
  unusedLocal?: string;
  /** Whether .env points at the local server's port; null until .env was read (the choices wait: a label changing under the cursor would move it). */
  envPointsHere: boolean | null;
  /** Set once the user chose how to leave: the last words. */
  leaving: 'kept' | 'stopped' | null;
  onChoose: (choice: DoneChoice) => void;
}

const CODE: Record<Code, { title: string; text: (place: TargetPlace) => string }> = {
  python: { title: 'Python: your server when .env sets CHROMA_HOST, else Chroma Cloud', text: pythonClient },
  js: { title: 'JavaScript: the same rule (or createChromaClient() from chroma-migrate)', text: jsClient },
};

/** The end: what was proven, what to do next, and what becomes of the local server. */
export function DoneView(props: DoneViewProps) {
  const { server, envPointsHere, leaving } = props;
  if (leaving && server) return <Leaving how={leaving} server={server} envPointsHere={envPointsHere === true} />;
  const envWords = envPointsHere ? 'your .env points at it' : 'your .env does not point at it';
  const options = [
    { label: 'Show the client code for Python', value: 'python' },
    { label: 'Show the client code for JavaScript', value: 'js' },
    ...(server
      ? [
          { label: `Exit, and keep Chroma running on port ${server.port} (${envWords})`, value: 'keep' },
          { label: 'Exit, and stop Chroma (start it again later with chroma-migrate serve)', value: 'stop' },
        ]
      : [{ label: 'Exit', value: 'exit' }]),
  ];
  return (
    <Box flexDirection="column">
      {/* Code goes above the live frame, written once: it stays in the scrollback to copy. */}
      <Static items={props.shown}>
        {(code) => (
          <Box key={code} flexDirection="column" marginBottom={1}>
            <Text bold>{CODE[code].title}</Text>
            <Text>{CODE[code].text(props.place ?? {})}</Text>
          </Box>
        )}
      </Static>
      <NextSteps {...props} />
      {server && envPointsHere === null ? null : <Select options={options} onChange={(value) => props.onChoose(value as DoneChoice)} />}
    </Box>
  );
}

function NextSteps({ verified, risk, needs, server, elsewhere, unusedLocal }: DoneViewProps) {
  return (
    <Box flexDirection="column">
      {verified ? (
        <Text color="green" bold>
          Done: your data lives on your own Chroma server, and every record was checked.
        </Text>
      ) : (
        <Text color="yellow" bold>
          Done, but verification did not pass: run chroma-migrate verify before you rely on it.
        </Text>
      )}
      {risk === 'open' ? (
        <Para mark="! " color="red" bold>
          {OPEN_SERVER_WARNING}
        </Para>
      ) : null}
      <Text>Next:</Text>
      <Para mark="· ">Back up weekly: chroma-migrate backup --dir ./backups --keep 4 --print-cron</Para>
      <Para mark="· ">Keep the Cloud data a week or two until you trust the new server.</Para>
      <Para mark="· ">To switch the app back to Cloud: chroma-migrate rollback</Para>
      {groupAppNeeds(needs).flatMap((entry) =>
        describeAppNeeds(entry.label, entry.needs).map((line, index) => (
          <Para key={`${entry.label}-${index}`} mark={index === 0 ? '· ' : '  '} color={entry.needs.cloudHosted && line.startsWith('hosted by Chroma') ? 'yellow' : undefined}>
            {line}
          </Para>
        )),
      )}
      {server ? (
        <Para mark="· " color="yellow">
          The local Chroma server ({server.url}) runs inside this wizard: keep it running after you exit, or stop it.
        </Para>
      ) : null}
      {elsewhere ? <Para mark="· ">Your Chroma server ({shown(elsewhere)}) was not started by this wizard: it keeps running after you exit.</Para> : null}
      {unusedLocal ? (
        <Para mark="· " color="yellow">
          The local server this wizard started ({unusedLocal}) is not the one your data went to: it stops when you exit.
        </Para>
      ) : null}
    </Box>
  );
}

function Leaving({ how, server, envPointsHere }: { how: 'kept' | 'stopped'; server: LocalServerView; envPointsHere: boolean }) {
  const restart = `chroma-migrate serve --path ${shellWord(server.path)} --port ${server.port}`;
  return how === 'kept' ? (
    <Box flexDirection="column">
      <Text color="green">
        Chroma keeps running at {server.url} (process {server.pid}); data in {server.path}.
      </Text>
      <Text>To stop it: chroma-migrate serve --stop --path {shellWord(server.path)}</Text>
    </Box>
  ) : (
    <Box flexDirection="column">
      <Text color="yellow">Chroma at {server.url} stops now{envPointsHere ? ', and your .env still points at it' : ''}.</Text>
      <Text>Start it again before your app needs it:</Text>
      <Text>  {restart}</Text>
    </Box>
  );
}
