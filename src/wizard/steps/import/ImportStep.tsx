import { useRef, useState, type MutableRefObject } from 'react';
import type { Endpoint } from '../../../core/chroma/endpoint.js';
import type { ImportResult } from '../../../core/operations/import.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { count, fraction } from '../../format.js';
import type { StepProps } from '../../session.js';
import { currentTarget, sameServer } from '../../target.js';
import type { RunningServer } from '../../../core/local-server/chroma-server.js';
import type { WizardServices } from '../../services.js';
import { useProgress } from '../../use-progress.js';
import { useStepTask } from '../../use-step-task.js';
import { ImportView, type ImportPhase } from './ImportView.js';
import type { Ask } from './recreate.js';
import { importFile, type ImportFileContext } from './import-file.js';
import { describeImport } from '../../../present/reports/import-summary.js';
import { describeFailure } from '../../run-log.js';

/** One run of the import: a new one for each attempt, with or without the sparse vectors. */
interface Attempt {
  dropSparse: boolean;
}

type Answer = (value: unknown) => void;

/** Step 5's work: the import, with the questions it asks answered on screen. */
export function ImportStep({ services, session, update, dispatch, signal, setBusy, again }: StepProps) {
  const [phase, setPhase] = useState<ImportPhase>({ name: 'running' });
  const [attempt, setAttempt] = useState<Attempt>({ dropSparse: false });
  const [restarted, setRestarted] = useState<string | undefined>(undefined);
  const answered = useRef<unknown>(null);
  const answer = useRef<Answer | null>(null);
  const progress = useProgress(services.now);
  const target = currentTarget(session, services);
  const backupPath = session.backupPath;

  // The checklist counts the whole import, as the welcome screen does on a resume: one
  // collection's numbers read as the whole, and changed with whichever collection moved last.
  const records = progress.records;
  const detail = records && records.total !== null ? `import ${fraction(records.done, records.total)}` : null;
  useStepTask(detail, (text) => dispatch({ type: 'progress', step: 'import', detail: text }));
  // The server this wizard started may have died (killed, out of memory): each attempt starts
  // it again first, as a resume does, rather than failing on a server that is gone.
  const revive = async () => {
    const server = await reviveLocalServer(services, session.localServer, target);
    if (!server) return;
    update({ localServer: server });
    setRestarted(server.url);
  };
  useImportTask({ services, signal, setBusy, target, backupPath, attempt, again, answer, progress, setPhase, revive });

  if (!backupPath) return <ErrorBox error={new Error('No backup file is known: go back to step 1 (Esc) and choose one.')} />;
  const reply = (value: unknown) => answer.current?.(value);
  return (
    <ImportView
      phase={phase}
      targetUrl={target.url}
      again={again}
      restarted={restarted}
      progress={progress}
      on={{
        exists: reply,
        confirmDelete: reply,
        space: reply,
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
        cancelled: (choice) => {
          if (phase.name !== 'cancelled') return;
          if (choice === 'back') dispatch({ type: 'goto', step: 'connect' });
          // The earlier import stands, with its own numbers in the checklist.
          else if (choice === 'keep') dispatch({ type: 'step-done', step: 'import' });
          else setAttempt((now) => ({ ...now }));
        },
      }}
    />
  );
}

interface ImportTaskContext extends Pick<StepProps, 'services' | 'signal' | 'setBusy'> {
  target: Endpoint;
  backupPath: string | undefined;
  attempt: Attempt;
  again: boolean;
  answer: MutableRefObject<Answer | null>;
  progress: ReturnType<typeof useProgress>;
  setPhase: (phase: ImportPhase) => void;
  revive: () => Promise<void>;
}

/** Runs the import once per attempt; its questions are put on screen and answered through `answer`. */
function useImportTask({ services, signal, setBusy, target, backupPath, attempt, again, answer, progress, setPhase, revive }: ImportTaskContext): void {
  useStepTask(
  backupPath ? attempt : null,
  async ({ dropSparse }, run) => {
    setPhase({ name: 'running' });
    await revive();
    if (!run.live()) return;
    // Collections are imported several at once, and each may ask: one question on screen at a
    // time, each with its own answer (a second question took the first one's place, which then
    // waited for ever).
    let asking: Promise<unknown> = Promise.resolve();
    const ask: Ask = (question) => {
      const turn = asking.then(
        () =>
          new Promise((resolve) => {
            answer.current = (value) => {
              answer.current = null;
              run.setBusy(true);
              if (run.live()) setPhase({ name: 'running' });
              resolve(value as never);
            };
            run.setBusy(false);
            if (run.live()) setPhase(question);
          }),
      );
      asking = turn.catch(() => undefined);
      return turn as ReturnType<Ask>;
    };
    const context: ImportFileContext = {
      services,
      ask,
      signal,
      again,
      dropSparse,
      onProgress: progress.onProgress,
    };
    // A file of several databases: the engine puts each into the database of the same name, made when missing.
    const outcome = await importFile(context, backupPath as string, target);
    if ('cancelled' in outcome) {
      if (run.live()) setPhase({ name: 'cancelled', collection: outcome.cancelled });
      return;
    }
    const named = outcome.result.collections.map((entry) => (entry.database === undefined ? entry : { ...entry, collection: `${entry.database}/${entry.collection}` }));
    const result: ImportResult = { ...outcome.result, collections: named };
    for (const entry of result.collections) services.log(`import: ${describeImport(entry, count)}`);
    for (const note of result.notes) services.log(`import: ! ${note}`);
    if (run.live()) setPhase({ name: 'finished', result });
  },
  {
    setBusy,
    onError: (error) => {
      services.log(`import: ${describeFailure(error)}`);
      setPhase({ name: 'failed', error });
    },
  },
);
}

/** The wizard's own server, started again on its folder and port when its process has ended and the import goes there; null otherwise. */
async function reviveLocalServer(services: WizardServices, server: RunningServer | undefined, target: Endpoint): Promise<RunningServer | null> {
  if (!server || !sameServer(server.url, target.url)) return null;
  // A timer, not a resolved promise: an exit already seen settles first.
  const ended = await Promise.race([server.exited.then(() => true), new Promise<boolean>((done) => setTimeout(() => done(false), 0))]);
  if (!ended) return null;
  services.log(`import: the local server ${server.url} had stopped; starting it again`);
  // Its own clean-up (the folder's claim, its pid file) may still be under way after the exit.
  await server.stop().catch(() => undefined);
  return services.startChromaServer({ path: server.path, port: server.port });
}
