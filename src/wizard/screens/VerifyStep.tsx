import { describeDifference } from '../../core/collection/compare.js';
import { useEffect, useState } from 'react';
import { Box } from 'ink';
import { Select } from '@inkjs/ui';
import type { VerifyResult } from '../../core/operations/verify.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { FailureChoices } from '../components/FailureChoices.js';
import { Para } from '../components/Para.js';
import { ProgressList } from '../components/Progress.js';
import { Window } from '../components/Window.js';
import { describeRecall, describeVerdict } from '../../present/verify-summary.js';
import { fitting, useSpace } from '../layout/space.js';
import { count, plural } from '../format.js';
import type { StepProps } from '../session.js';
import { currentTarget } from '../target.js';
import { useProgress } from '../use-progress.js';

type Phase = { name: 'running' } | { name: 'repairing' } | { name: 'finished'; result: VerifyResult } | { name: 'failed'; error: unknown };


export function VerifyStep({ services, session, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<Phase>({ name: 'running' });
  const progress = useProgress(services.now);
  const space = useSpace();
  const target = currentTarget(session, services);
  const backupPath = session.backupPath;

  useEffect(() => {
    if (!backupPath || (phase.name !== 'running' && phase.name !== 'repairing')) return;
    let cancelled = false;
    setBusy(true);
    (async () => {
      if (phase.name === 'repairing') {
        // Upserts are by id: sending the backup again fills exactly the gaps.
        await services.importBackup({ input: backupPath, target, ifExists: 'append', statePath: services.statePath, signal, onProgress: progress.onProgress });
      }
      const result = await services.verifyBackup({ input: backupPath, target, statePath: services.statePath, signal, onProgress: progress.onProgress });
      if (!cancelled) setPhase({ name: 'finished', result });
    })()
      .catch((error: unknown) => !cancelled && setPhase({ name: 'failed', error }))
      .finally(() => setBusy(false));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [phase.name]);

  if (!backupPath) return <ErrorBox error={new Error('No backup file is known: go back to step 1 (Esc) and choose one.')} />;

  switch (phase.name) {
    case 'running':
    case 'repairing':
      return (
        <Box flexDirection="column">
          <Para bold>Step 6 · {phase.name === 'repairing' ? 'Re-sending the backup, then verifying' : 'Comparing every record with the backup'}</Para>
          <ProgressList bars={progress.bars} size={fitting(space, 2, 1)} />
        </Box>
      );
    case 'finished': {
      const { result } = phase;
      const total = result.collections.reduce((sum, entry) => sum + entry.expected, 0);
      return (
        <Box flexDirection="column">
          <Window
            items={result.collections}
            // Two lines a collection (three with missing ids).
            size={Math.max(1, Math.floor(fitting(space, 4, 2) / 2))}
            noun="more collections"
            render={(entry) => (
              <Box key={entry.collection} flexDirection="column">
                <Para mark={entry.ok ? '✓ ' : '✗ '} color={entry.ok ? 'green' : 'red'}>
                  {entry.collection}: {describeVerdict(entry)}
                </Para>
                <Para indent={2} dim>
                  {describeRecall(entry)}
                </Para>
                {entry.missing > 0 ? (
                  <Para indent={2} color="yellow">
                    missing: {entry.missingIds.slice(0, 3).join(', ')}
                    {entry.missing > 3 ? ` and ${count(entry.missing - 3)} more` : ''}
                  </Para>
                ) : null}
                {entry.differingIds.slice(0, 1).map((first) => (
                  <Para key="first" indent={2} color="yellow">
                    first difference: {first.id}: {first.fields.join('; ')}
                  </Para>
                ))}
                {(entry.settings?.differences ?? []).map((difference) => (
                  <Para key={`setting-${difference.field}`} indent={2} color="yellow">
                    {describeDifference(difference)}
                  </Para>
                ))}
                {Object.entries(entry.sparseNotCarried).map(([key, n]) => (
                  <Para key={`sparse-${key}`} indent={2} color="yellow">
                    sparse vectors in "{key}" ({plural(n, 'record')}) not carried: a self-hosted server cannot store them; the backup keeps them
                  </Para>
                ))}
              </Box>
            )}
          />
          <Select
            options={
              result.ok
                ? [{ label: 'Continue to step 7: complete ingestion', value: 'next' }]
                : [
                    { label: 'Re-import the missing records, then verify again', value: 'repair' },
                    { label: 'Continue anyway', value: 'next' },
                  ]
            }
            onChange={(value) => {
              if (value === 'repair') setPhase({ name: 'repairing' });
              else if (result.ok) dispatch({ type: 'step-done', step: 'verify', detail: `${count(total)} records equal` });
              else dispatch({ type: 'step-skipped', step: 'verify', detail: 'mismatch accepted' });
            }}
          />
        </Box>
      );
    }
    case 'failed':
      return (
        <FailureChoices
          error={phase.error}
          options={[{ label: 'Try again', value: 'retry' }]}
          onChange={() => setPhase({ name: 'running' })}
        />
      );
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}
