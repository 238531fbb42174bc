import { describeDifference } from '../../core/collection/compare.js';
import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { Select } from '@inkjs/ui';
import type { VerifyResult } from '../../core/verify.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { FailureChoices } from '../components/FailureChoices.js';
import { Progress } from '../components/Progress.js';
import { count } from '../format.js';
import type { StepProps } from '../session.js';
import { currentTarget } from '../target.js';
import { useProgress } from '../use-progress.js';

type Phase = { name: 'running' } | { name: 'repairing' } | { name: 'finished'; result: VerifyResult } | { name: 'failed'; error: unknown };

const cell = (text: string, width: number) => text.padEnd(width).slice(0, width);

export function VerifyStep({ services, session, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<Phase>({ name: 'running' });
  const progress = useProgress(services.now);
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
          <Text bold>Step 6 · {phase.name === 'repairing' ? 'Re-sending the backup, then verifying' : 'Comparing every record with the backup'}</Text>
          {progress.bars.map((entry) => (
            <Progress key={entry.label} {...entry} />
          ))}
        </Box>
      );
    case 'finished': {
      const { result } = phase;
      const total = result.collections.reduce((sum, entry) => sum + entry.expected, 0);
      return (
        <Box flexDirection="column">
          <Text bold>
            {cell('Collection', 22)}
            {cell('Count', 16)}
            {cell('Equal', 16)}
            {cell('Self-queries', 14)}
          </Text>
          {result.collections.map((entry) => (
            <Text key={entry.collection} color={entry.ok ? 'green' : 'red'}>
              {cell(`${entry.ok ? '✓' : '✗'} ${entry.collection}`, 22)}
              {cell(`${count(entry.count ?? 0)}/${count(entry.expected)}`, 16)}
              {cell(`${count(entry.compared - entry.missing - entry.differing)}/${count(entry.expected)}`, 16)}
              {cell(`${entry.selfQuery.first}/${entry.selfQuery.sampled} first`, 14)}
            </Text>
          ))}
          {result.collections
            .filter((entry) => entry.missing > 0 || entry.differing > 0)
            .map((entry) => (
              <Text key={`${entry.collection}-why`} color="yellow" wrap="truncate-end">
                {'  '}
                {entry.collection}: {count(entry.missing)} missing{entry.missingIds.length ? ` (${entry.missingIds.slice(0, 3).join(', ')}…)` : ''}, {count(entry.differing)} differing
              </Text>
            ))}
          {result.collections.flatMap((entry) =>
            entry.differingIds.slice(0, 1).map((first) => (
              <Text key={`${entry.collection}-first`} color="yellow">
                {'  '}first difference: {first.id}: {first.fields.join('; ')}
              </Text>
            )),
          )}
          {result.collections.flatMap((entry) =>
            (entry.settings?.differences ?? []).map((difference) => (
              <Text key={`${entry.collection}-setting-${difference.field}`} color="yellow" wrap="truncate-end">
                {'  '}
                {entry.collection}: {describeDifference(difference)}
              </Text>
            )),
          )}
          {result.collections.flatMap((entry) =>
            Object.entries(entry.sparseNotCarried).map(([key, n]) => (
              <Text key={`${entry.collection}-sparse-${key}`} color="yellow">
                {'  '}
                {entry.collection}: sparse vectors in "{key}" ({count(n)} records) not carried — a self-hosted server cannot store them; the backup keeps them
              </Text>
            )),
          )}
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
              else if (result.ok) dispatch({ type: 'step-done', step: 'verify', detail: `${count(total)}/${count(total)} verified` });
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
