import { dirname, join, relative } from 'node:path';
import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { Select } from '@inkjs/ui';
import { LineInput } from '../components/LineInput.js';
import { describeCount, describeOutcome } from '../../core/ingest/run-ingest.js';
import { FailureChoices } from '../components/FailureChoices.js';
import { plural } from '../format.js';
import { Para } from '../components/Para.js';
import { Window } from '../components/Window.js';
import { fitting, useSpace } from '../layout/space.js';
import type { StepProps } from '../session.js';
import { currentTarget } from '../target.js';

type Outcome = Awaited<ReturnType<StepProps['services']['runIngest']>>;
type Phase = { name: 'choose' } | { name: 'command' } | { name: 'running'; command: string } | { name: 'finished'; outcome: Outcome } | { name: 'failed'; error: unknown };

/** Lines of output kept in memory for the window; the log file has all of them. */
const KEEP = 200;
const EXAMPLE = 'python3 scripts/ingest_audits.py --local-dir sample_audits/';

export function IngestStep({ services, session, update, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<Phase>({ name: 'choose' });
  const [lines, setLines] = useState<string[]>([]);
  const [printed, setPrinted] = useState(0);
  const [logFile, setLogFile] = useState('');
  const target = currentTarget(session, services);
  const space = useSpace();

  useEffect(() => {
    if (phase.name !== 'running') return;
    let cancelled = false;
    setBusy(true);
    setLines([]);
    setPrinted(0);
    // The whole output, next to the state file: the screen shows only a window of it.
    const log = join(dirname(services.statePath), `ingest-${new Date(services.now()).toISOString().replace(/[:.]/g, '-')}.log`);
    setLogFile(log);
    update({ ingestCommand: phase.command });
    services
      .runIngest({
        command: phase.command,
        target,
        env: services.env,
        cwd: services.cwd,
        statePath: services.statePath,
        logFile: log,
        signal,
        onOutput: (line) => {
          if (cancelled) return;
          setPrinted((n) => n + 1);
          setLines((current) => [...current.slice(-(KEEP - 1)), line]);
        },
      })
      .then((outcome) => !cancelled && setPhase({ name: 'finished', outcome }))
      .catch((error: unknown) => !cancelled && setPhase({ name: 'failed', error }))
      .finally(() => setBusy(false));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [phase]);

  const shownLog = logFile ? (relative(services.cwd, logFile).startsWith('..') ? logFile : relative(services.cwd, logFile)) : '';
  // Title, prompt and verdict lines take the rest of the screen's room.
  const output = (reserved: number) => (
    <Window
      items={lines}
      total={printed}
      size={fitting(space, reserved)}
      from="end"
      noun="lines"
      where={shownLog ? `all of it in ${shownLog}` : undefined}
      render={(line, index) => (
        <Text key={index} color="gray" wrap="truncate-end">
          {'  │ '}
          {line}
        </Text>
      )}
    />
  );

  switch (phase.name) {
    case 'choose':
      return (
        <Box flexDirection="column">
          <Para bold>Step 7 · Ingest the data that did not fit under Cloud's quotas?</Para>
          {/* The URL on a line of its own: a Railway URL would wrap the sentence at 80 columns. */}
          <Para dim>Your command runs with CHROMA_HOST etc. set for this server, never Cloud:</Para>
          <Para dim indent={2}>
            {target.url}
          </Para>
          <Select
            options={[
              ...(session.ingestCommand ? [{ label: `Run again: ${session.ingestCommand}`, value: 'again' }] : []),
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
          <Para bold>Step 7 · Command to run (in {services.cwd}):</Para>
          <LineInput placeholder={EXAMPLE} defaultValue={session.ingestCommand} onSubmit={(command) => command.trim() && setPhase({ name: 'running', command: command.trim() })} />
        </Box>
      );
    case 'running':
      return (
        <Box flexDirection="column">
          <Para bold mark="Step 7 · Running: ">{phase.command}</Para>
          {output(3)}
        </Box>
      );
    case 'finished': {
      const { outcome } = phase;
      return (
        <Box flexDirection="column">
          {output(7 + outcome.counts.length)}
          <Para color={outcome.ok ? 'green' : 'red'}>{describeOutcome(outcome)}</Para>
          {outcome.counts.map((entry) => (
            <Para key={entry.collection} indent={2}>
              {describeCount(entry, outcome.countedAfter)}
            </Para>
          ))}
          {outcome.logFile ? <Para dim indent={2}>{`Its whole output (${plural(outcome.lines, 'line')}): ${shownLog}`}</Para> : null}
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
