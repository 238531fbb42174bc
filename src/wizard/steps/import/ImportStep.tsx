import { useRef, useState } from 'react';
import type { Space } from '../../../core/model/record.js';
import type { ExistsChoice } from '../../../core/operations/import.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { count, fraction } from '../../format.js';
import type { StepProps } from '../../session.js';
import { currentTarget } from '../../target.js';
import { useProgress } from '../../use-progress.js';
import { useStepTask } from '../../use-step-task.js';
import { ImportView, type ImportPhase } from './ImportView.js';

/** One run of the import: a new one for each attempt, with or without the sparse vectors. */
interface Attempt {
  dropSparse: boolean;
}

/** Step 5's work: the import, with the questions it asks answered on screen. */
export function ImportStep({ services, session, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<ImportPhase>({ name: 'running' });
  const [attempt, setAttempt] = useState<Attempt>({ dropSparse: false });
  const answered = useRef<unknown>(null);
  const answer = useRef<((choice: ExistsChoice) => void) | null>(null);
  const answerSpace = useRef<((space: Space) => void) | null>(null);
  const progress = useProgress(services.now);
  const target = currentTarget(session, services);
  const backupPath = session.backupPath;

  useStepTask(
    backupPath ? attempt : null,
    async ({ dropSparse }, run) => {
      setPhase({ name: 'running' });
      const ask = <T,>(slot: { current: ((value: T) => void) | null }, question: ImportPhase) =>
        new Promise<T>((resolve) => {
          slot.current = (value) => {
            run.setBusy(true);
            resolve(value);
          };
          run.setBusy(false);
          if (run.live()) setPhase(question);
        });
      const result = await services.importBackup({
        input: backupPath as string,
        target,
        ifExists: 'ask',
        dropSparse,
        decideExists: (info) => ask(answer, { name: 'exists', collection: info.collection, records: info.count }),
        decideSpace: (info) => ask(answerSpace, { name: 'space', collection: info.collection, source: info.source }),
        statePath: services.statePath,
        signal,
        onProgress: (event) => {
          progress.onProgress(event);
          if (event.type === 'batch') dispatch({ type: 'progress', step: 'import', detail: `import ${fraction(event.done, event.total)}` });
        },
      });
      if (run.live()) setPhase({ name: 'finished', result });
    },
    { setBusy, onError: (error) => setPhase({ name: 'failed', error }) },
  );

  if (!backupPath) return <ErrorBox error={new Error('No backup file is known: go back to step 1 (Esc) and choose one.')} />;
  const running = () => setPhase({ name: 'running' });
  return (
    <ImportView
      phase={phase}
      targetUrl={target.url}
      progress={progress}
      on={{
        exists: (choice) => {
          running();
          answer.current?.(choice);
        },
        space: (chosen) => {
          running();
          answerSpace.current?.(chosen);
        },
        finished: (choice) => {
          if (phase.name !== 'finished') return;
          if (choice === 'retry') return setAttempt((now) => ({ ...now }));
          const total = phase.result.collections.reduce((sum, entry) => sum + entry.count, 0);
          dispatch({ type: 'step-done', step: 'import', detail: `${count(total)} records` });
        },
        failed: (choice) => {
          // One answer per failure: a second call for the same one would start a second import.
          if (phase.name !== 'failed' || answered.current === phase.error) return;
          answered.current = phase.error;
          if (choice === 'back') dispatch({ type: 'goto', step: 'connect' });
          else setAttempt((now) => ({ dropSparse: now.dropSparse || choice === 'drop-sparse' }));
        },
      }}
    />
  );
}
