import { useEffect, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { Select } from '@inkjs/ui';
import type { Space } from '../../core/model/record.js';
import type { ExistsChoice, ImportResult } from '../../core/operations/import.js';
import { SPACE_CHOICES } from '../../present/space-choices.js';
import { describeImport, importSucceeded } from '../../present/import-summary.js';
import { describeDifference } from '../../core/collection/compare.js';
import { isMigrateError } from '../../core/util/errors.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Para } from '../components/Para.js';
import { ProgressList } from '../components/Progress.js';
import { fitting, useSpace } from '../layout/space.js';
import { count, fraction } from '../format.js';
import type { StepProps } from '../session.js';
import { currentTarget } from '../target.js';
import { useProgress } from '../use-progress.js';

type Phase =
  | { name: 'running' }
  | { name: 'exists'; collection: string; records: number }
  | { name: 'space'; collection: string; source: string }
  | { name: 'finished'; result: ImportResult }
  | { name: 'failed'; error: unknown };

export function ImportStep({ services, session, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<Phase>({ name: 'running' });
  const [attempt, setAttempt] = useState(0);
  /** Asked in words after the import stopped on sparse vectors, before anything was written. */
  const [dropSparse, setDropSparse] = useState(false);
  const answered = useRef<unknown>(null);
  const answer = useRef<((choice: ExistsChoice) => void) | null>(null);
  const answerSpace = useRef<((space: Space) => void) | null>(null);
  const progress = useProgress(services.now);
  const space = useSpace();
  const target = currentTarget(session, services);
  const backupPath = session.backupPath;

  useEffect(() => {
    if (!backupPath) return;
    let cancelled = false;
    setBusy(true);
    setPhase({ name: 'running' });
    services
      .importBackup({
        input: backupPath,
        target,
        ifExists: 'ask',
        dropSparse,
        decideExists: (info) =>
          new Promise<ExistsChoice>((resolve) => {
            answer.current = resolve;
            setBusy(false);
            setPhase({ name: 'exists', collection: info.collection, records: info.count });
          }),
        decideSpace: (info) =>
          new Promise<Space>((resolve) => {
            answerSpace.current = resolve;
            setBusy(false);
            setPhase({ name: 'space', collection: info.collection, source: info.source });
          }),
        statePath: services.statePath,
        signal,
        onProgress: (event) => {
          progress.onProgress(event);
          if (event.type === 'batch') dispatch({ type: 'progress', step: 'import', detail: `import ${fraction(event.done, event.total)}` });
        },
      })
      .then((result) => !cancelled && setPhase({ name: 'finished', result }))
      .catch((error: unknown) => !cancelled && setPhase({ name: 'failed', error }))
      .finally(() => setBusy(false));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [attempt]);

  if (!backupPath) {
    return <ErrorBox error={new Error('No backup file is known: go back to step 1 (Esc) and choose one.')} />;
  }
  const bars = (reserved: number) => <ProgressList bars={progress.bars} size={fitting(space, reserved, 1)} />;

  switch (phase.name) {
    case 'running':
      return (
        <Box flexDirection="column">
          <Para bold>Step 5 · Importing into {target.url}</Para>
          <Para dim>{progress.phase}</Para>
          {bars(3)}
        </Box>
      );
    case 'exists':
      return (
        <Box flexDirection="column">
          {/* Name and URL on lines of their own: either may be long, and a sentence would wrap. */}
          <Text bold>Step 5 · This collection already exists on the server:</Text>
          <Para indent={2}>
            {phase.collection} · {count(phase.records)} records · {target.url}
          </Para>
          {/* Enter alone must never delete: the destructive choice comes last, never preselected. */}
          <Select
            options={[
              { label: 'Append: upsert the backup into it (same ids are overwritten)', value: 'append' },
              { label: 'Cancel: change nothing', value: 'abort' },
              { label: `Delete it (${count(phase.records)} records) and recreate it, then import`, value: 'recreate' },
            ]}
            onChange={(value) => {
              setBusy(true);
              setPhase({ name: 'running' });
              answer.current?.(value as ExistsChoice);
            }}
          />
        </Box>
      );
    case 'space':
      return (
        <Box flexDirection="column">
          <Text bold>Step 5 · How did &quot;{phase.source}&quot; compare embeddings?</Text>
          <Text>The backup does not record its distance space. Pick the one the collection had on the source:</Text>
          <Text color="gray">searches rank by it, and it cannot be changed after the collection is created.</Text>
          <Select
            options={[...SPACE_CHOICES]}
            onChange={(value) => {
              setBusy(true);
              setPhase({ name: 'running' });
              answerSpace.current?.(value as Space);
            }}
          />
        </Box>
      );
    case 'finished': {
      const ok = phase.result.collections.every(importSucceeded);
      const missing = phase.result.collections.some((entry) => entry.missing > 0);
      return (
        <Box flexDirection="column">
          {phase.result.collections.map((entry) => (
            <Box key={entry.collection} flexDirection="column">
              <Para mark={importSucceeded(entry) ? '✓ ' : '✗ '} color={importSucceeded(entry) ? 'green' : 'red'}>
                {describeImport(entry, count)}
              </Para>
              {entry.differences.map((difference) => (
                <Para key={difference.field} mark="  ! " color="yellow">
                  created, but the server holds it differently: {describeDifference(difference)}
                </Para>
              ))}
            </Box>
          ))}
          {phase.result.notes.map((note) => (
            <Text key={note} color="yellow">
              ! {note}
            </Text>
          ))}
          <Select
            options={
              ok
                ? [{ label: 'Continue to step 6: verify', value: 'next' }]
                : missing
                  ? [{ label: 'Import again (re-sends what is missing)', value: 'retry' }, { label: 'Continue to verify anyway', value: 'next' }]
                  : // Sending again cannot change how the server made the collection; verify names it.
                    [{ label: 'Continue to step 6: verify (it names each difference)', value: 'next' }]
            }
            onChange={(value) => {
              if (value === 'retry') setAttempt((n) => n + 1);
              else {
                const total = phase.result.collections.reduce((sum, entry) => sum + entry.count, 0);
                dispatch({ type: 'step-done', step: 'import', detail: `${count(total)} records` });
              }
            }}
          />
        </Box>
      );
    }
    case 'failed':
      return (
        <Box flexDirection="column">
          {bars(6)}
          <ErrorBox error={phase.error} />
          <Select
            options={
              cannotHoldSparse(phase.error)
                ? [
                    { label: 'Back to the connection test (nothing was written)', value: 'back' },
                    { label: 'Import without the sparse vectors (the backup keeps them)', value: 'drop-sparse' },
                  ]
                : [
                    { label: isMigrateError(phase.error) && phase.error.code === 'EXISTS' ? 'Choose again' : 'Try again (continues from the checkpoint)', value: 'retry' },
                    { label: 'Back to the connection test', value: 'back' },
                  ]
            }
            onChange={(value) => {
              // One answer per failure: a second call for the same one would start a second import.
              if (answered.current === phase.error) return;
              answered.current = phase.error;
              if (value === 'drop-sparse') setDropSparse(true);
              if (value === 'back') dispatch({ type: 'goto', step: 'connect' });
              else setAttempt((n) => n + 1);
            }}
          />
        </Box>
      );
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}

function cannotHoldSparse(error: unknown): boolean {
  return isMigrateError(error) && error.code === 'CANNOT_HOLD' && /sparse vectors/.test(error.message);
}
