import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { Select, TextInput } from '@inkjs/ui';
import { describeCount } from '../../core/ingest.js';
import { FailureChoices } from '../components/FailureChoices.js';
import type { StepProps } from '../session.js';
import { currentTarget } from '../target.js';

type Outcome = Awaited<ReturnType<StepProps['services']['runIngest']>>;
type Phase = { name: 'choose' } | { name: 'command' } | { name: 'running'; command: string } | { name: 'finished'; outcome: Outcome } | { name: 'failed'; error: unknown };

const TAIL = 8;
const EXAMPLE = 'python3 scripts/ingest_audits.py --local-dir sample_audits/';

export function IngestStep({ services, session, update, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<Phase>({ name: 'choose' });
  const [lines, setLines] = useState<string[]>([]);
  const target = currentTarget(session, services);

  useEffect(() => {
    if (phase.name !== 'running') return;
    let cancelled = false;
    setBusy(true);
    setLines([]);
    update({ ingestCommand: phase.command });
    services
      .runIngest({
        command: phase.command,
        target,
        env: services.env,
        cwd: services.cwd,
        statePath: services.statePath,
        signal,
        onOutput: (line) => !cancelled && setLines((current) => [...current.slice(-(TAIL - 1)), line]),
      })
      .then((outcome) => !cancelled && setPhase({ name: 'finished', outcome }))
      .catch((error: unknown) => !cancelled && setPhase({ name: 'failed', error }))
      .finally(() => setBusy(false));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [phase]);

  const output = (
    <Box flexDirection="column">
      {lines.map((line, index) => (
        <Text key={index} color="gray" wrap="truncate-end">
          {'  │ '}
          {line}
        </Text>
      ))}
    </Box>
  );

  switch (phase.name) {
    case 'choose':
      return (
        <Box flexDirection="column">
          <Text bold>Step 7 · Ingest the data that did not fit under Cloud's quotas?</Text>
          {/* The URL on a line of its own: a Railway URL would wrap the sentence at 80 columns. */}
          <Text color="gray">Your command runs with CHROMA_HOST etc. set for this server, never Cloud:</Text>
          <Text color="gray">  {target.url}</Text>
          <Select
            options={[
              ...(session.ingestCommand ? [{ label: `Run again: ${session.ingestCommand}`.slice(0, 74), value: 'again' }] : []),
              { label: 'Run my ingestion command', value: 'command' },
              { label: 'Skip: nothing more to ingest', value: 'skip' },
            ]}
            onChange={(value) => {
              if (value === 'skip') dispatch({ type: 'step-skipped', step: 'ingest', detail: 'skipped' });
              else if (value === 'again' && session.ingestCommand) setPhase({ name: 'running', command: session.ingestCommand });
              else setPhase({ name: 'command' });
            }}
          />
        </Box>
      );
    case 'command':
      return (
        <Box flexDirection="column">
          <Text bold>Step 7 · Command to run (in {services.cwd}):</Text>
          <TextInput placeholder={EXAMPLE} defaultValue={session.ingestCommand} onSubmit={(command) => command.trim() && setPhase({ name: 'running', command: command.trim() })} />
        </Box>
      );
    case 'running':
      return (
        <Box flexDirection="column">
          <Text bold wrap="truncate-end">Step 7 · Running: {phase.command}</Text>
          {output}
        </Box>
      );
    case 'finished': {
      const { outcome } = phase;
      return (
        <Box flexDirection="column">
          {output}
          <Text color={outcome.ok ? 'green' : 'red'}>
            {outcome.ok ? '✓' : '✗'} {outcome.interrupted ? 'Interrupted' : `Exit code ${outcome.exitCode}`}
          </Text>
          {outcome.counts.map((entry) => (
            <Text key={entry.collection}>  {describeCount(entry, outcome.countedAfter)}</Text>
          ))}
          <Select
            options={[
              ...(outcome.ok ? [{ label: 'Continue', value: 'done' }] : []),
              { label: 'Run it again', value: 'again' },
              { label: 'Edit the command', value: 'edit' },
              ...(outcome.ok ? [] : [{ label: 'Skip this step', value: 'skip' }]),
            ]}
            onChange={(value) => {
              if (value === 'done') {
                const changes = outcome.counts.map((entry) => describeCount(entry, outcome.countedAfter).split(': ')[1]).join(', ');
                dispatch({ type: 'step-done', step: 'ingest', detail: changes || `exit ${outcome.exitCode}` });
              } else if (value === 'again') setPhase({ name: 'running', command: outcome.command });
              else if (value === 'edit') setPhase({ name: 'command' });
              else dispatch({ type: 'step-skipped', step: 'ingest', detail: `exit ${outcome.exitCode}` });
            }}
          />
        </Box>
      );
    }
    case 'failed':
      return (
        <FailureChoices
          error={phase.error}
          options={[
              { label: 'Edit the command', value: 'edit' },
              { label: 'Skip this step', value: 'skip' },
            ]}
          onChange={(value) => (value === 'edit' ? setPhase({ name: 'command' }) : dispatch({ type: 'step-skipped', step: 'ingest', detail: 'skipped' }))}
        />
      );
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}
