import { useEffect, useState } from 'react';
import { Box, Static, Text } from 'ink';
import { Para } from '../components/Para.js';
import { Select } from '@inkjs/ui';
import { JS_CLIENT, PYTHON_CLIENT } from '../../present/app-snippets.js';
import { appNeedsOnServer, describeAppNeeds, groupAppNeeds, type AppNeeds } from '../../core/collection/app-needs.js';
import { loadEnv } from '../../core/chroma/connection.js';
import { shellWord } from '../../core/util/format.js';
import { OPEN_SERVER_WARNING, type Exposure } from '../../core/chroma/probe.js';
import { localPortInEnv } from '../../core/local-server/local-port.js';
import type { RunningServer } from '../../core/local-server/chroma-server.js';
import type { WizardState } from '../machine.js';
import { currentTarget } from '../target.js';
import type { StepProps } from '../session.js';

type Code = 'python' | 'js';
type Leaving = { how: 'kept' | 'stopped'; server: RunningServer } | null;

const CODE: Record<Code, { title: string; text: string }> = {
  python: { title: 'Python: your server when .env sets CHROMA_HOST, else Chroma Cloud', text: PYTHON_CLIENT },
  js: { title: 'JavaScript: the same rule (or createChromaClient() from chroma-migrate)', text: JS_CLIENT },
};

export function DoneScreen({ state, session, services, onExit }: Pick<StepProps, 'session' | 'services'> & { state: WizardState; onExit: () => void }) {
  const verified = state.steps.verify === 'done';
  const [risk, setRisk] = useState<Exposure>('unknown');
  const [shown, setShown] = useState<Code[]>([]);
  const [leaving, setLeaving] = useState<Leaving>(null);
  const [needs, setNeeds] = useState<Array<{ collection: string; needs: AppNeeds }>>([]);
  useEffect(() => {
    let cancelled = false;
    const target = currentTarget(session, services);
    void services.exposure(target).then((found) => !cancelled && setRisk(found));
    // What the app needs for the embedding functions the moved collections carry.
    appNeedsOnServer(services.api(target)).then(
      (found) => !cancelled && setNeeds(found),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [session, services]);
  // Leave once the last words are on screen: Ink keeps the final frame.
  useEffect(() => {
    if (leaving) onExit();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [leaving]);

  const server = session.localServer;
  const restart = server ? `chroma-migrate serve --path ${shellWord(server.path)} --port ${server.port}` : '';
  const envPointsHere = server ? localPortInEnv(loadEnv(services.envFile, {})) === server.port : false;
  const envWords = envPointsHere ? 'your .env points at it' : 'your .env does not point at it';

  if (leaving && server) {
    return leaving.how === 'kept' ? (
      <Box flexDirection="column">
        <Text color="green">
          Chroma keeps running at {server.url} (process {leaving.server.pid}); data in {server.path}.
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
      <Static items={shown}>
        {(code) => (
          <Box key={code} flexDirection="column" marginBottom={1}>
            <Text bold>{CODE[code].title}</Text>
            <Text>{CODE[code].text}</Text>
          </Box>
        )}
      </Static>
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
      <Select
        options={options}
        onChange={(value) => {
          if (value === 'python' || value === 'js') setShown((now) => (now.includes(value) ? now : [...now, value]));
          else if (value === 'keep' && server) {
            services.keepServerRunning(server);
            setLeaving({ how: 'kept', server });
          } else if (value === 'stop' && server) setLeaving({ how: 'stopped', server });
          else onExit();
        }}
      />
    </Box>
  );
}
