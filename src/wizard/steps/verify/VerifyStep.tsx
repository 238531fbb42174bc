import { useState } from 'react';
import { ErrorBox } from '../../components/ErrorBox.js';
import { count } from '../../format.js';
import type { StepProps } from '../../session.js';
import { currentTarget } from '../../target.js';
import { useProgress } from '../../use-progress.js';
import { useStepTask } from '../../use-step-task.js';
import { VerifyView, type VerifyPhase } from './VerifyView.js';
import { describeRecall, describeVerdict } from '../../../present/reports/verify-summary.js';
import { describeFailure } from '../../run-log.js';

/** Step 6's work: compare every record on the server with the backup (after re-sending it, when asked). */
export function VerifyStep({ services, session, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<VerifyPhase>({ name: 'running' });
  const progress = useProgress(services.now);
  const target = currentTarget(session, services);
  const backupPath = session.backupPath;

  useStepTask(
    backupPath && (phase.name === 'running' || phase.name === 'repairing') ? phase : null,
    async (task, { live }) => {
      const input = backupPath as string;
      if (task.name === 'repairing') {
        // Every record again (not only the missing: a finished import would send nothing), upserted
        // by id: the gaps are filled and the records that differ are written over.
        await services.importBackup({ input, target, ifExists: 'append', again: true, statePath: services.statePath, signal, onProgress: progress.onProgress });
      }
      const verified = await services.verifyBackup({ input, target, statePath: services.statePath, signal, onProgress: progress.onProgress });
      // A file of several databases: each verdict names its database (a name may be in several).
      const result = { ...verified, collections: verified.collections.map((entry) => (entry.database === undefined ? entry : { ...entry, collection: `${entry.database}/${entry.collection}` })) };
      for (const entry of result.collections) services.log(`verify: ${entry.ok ? '✓' : '✗'} ${entry.collection}: ${describeVerdict(entry)}; ${describeRecall(entry)}`);
      if (live()) setPhase({ name: 'finished', result });
    },
    {
      setBusy,
      onError: (error) => {
        services.log(`verify: ${describeFailure(error)}`);
        setPhase({ name: 'failed', error });
      },
    },
  );

  if (!backupPath) return <ErrorBox error={new Error('No backup file is known: go back to step 1 (Esc) and choose one.')} />;
  return (
    <VerifyView
      phase={phase}
      bars={progress.bars}
      onChoose={(choice) => {
        if (choice === 'repair') setPhase({ name: 'repairing' });
        else if (choice === 'retry') setPhase({ name: 'running' });
        else if (phase.name !== 'finished') return;
        else if (phase.result.ok) dispatch({ type: 'step-done', step: 'verify', detail: `${count(phase.result.collections.reduce((sum, entry) => sum + entry.expected, 0))} records equal` });
        else dispatch({ type: 'step-skipped', step: 'verify', detail: 'mismatch accepted' });
      }}
    />
  );
}
