import { dirname, join, relative } from 'node:path';
import { useState } from 'react';
import { describeChanges } from '../../../core/ingest/run-ingest.js';
import { maskCommand } from '../../../core/ingest/mask-command.js';
import type { StepProps } from '../../session.js';
import { currentTarget } from '../../target.js';
import { placeInState, withPlace } from '../../../core/state/target-place.js';
import { useStepTask } from '../../use-step-task.js';
import { IngestView, type IngestPhase } from './IngestView.js';

/** Lines of output kept in memory for the window; the log file has all of them. */
const KEEP = 200;

/** Step 7's work: the user's ingestion command against the new server, its output logged. */
export function IngestStep({ services, session, update, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<IngestPhase>({ name: 'choose' });
  const [lines, setLines] = useState<string[]>([]);
  const [printed, setPrinted] = useState(0);
  const [logFile, setLogFile] = useState('');
  const target = currentTarget(session, services);

  useStepTask(
    phase.name === 'running' ? phase : null,
    async (task, { live }) => {
      setLines([]);
      setPrinted(0);
      // The whole output, next to the state file: the screen shows only a window of it.
      const log = join(dirname(services.statePath), `ingest-${new Date(services.now()).toISOString().replace(/[:.]/g, '-')}.log`);
      setLogFile(log);
      // The real command stays in memory for "Run it again"; what is saved and shown is masked.
      update({ ingestCommand: task.command, ingestWithheld: undefined });
      // Where the import put the data on this server, what step 4 wrote in .env: counted there, and told to the command.
      const place = placeInState(await services.readState(), target.url);
      const outcome = await services.runIngest({
        command: task.command,
        target: withPlace(target, place),
        env: services.env,
        cwd: services.cwd,
        statePath: services.statePath,
        logFile: log,
        signal,
        onOutput: (line) => {
          if (!live()) return;
          setPrinted((n) => n + 1);
          setLines((current) => [...current.slice(-(KEEP - 1)), line]);
        },
      });
      if (live()) setPhase({ name: 'finished', outcome });
    },
    { setBusy, onError: (error) => setPhase({ name: 'failed', error }) },
  );

  const shownLog = logFile ? (relative(services.cwd, logFile).startsWith('..') ? logFile : relative(services.cwd, logFile)) : '';
  return (
    <IngestView
      phase={phase}
      targetUrl={target.url}
      cwd={services.cwd}
      remembered={session.ingestCommand}
      withheld={session.ingestWithheld}
      conceal={(command) => maskCommand(command, services.env).shown}
      output={{ lines, printed, log: shownLog }}
      on={{
        command: (command) => setPhase({ name: 'running', command }),
        choose: (choice) => {
          const again = session.ingestWithheld?.length ? undefined : session.ingestCommand;
          if (choice === 'again' && again) setPhase({ name: 'running', command: again });
          else if (choice === 'again') setPhase({ name: 'command' });
          else if (choice === 'command' || choice === 'edit') setPhase({ name: 'command' });
          else if (choice === 'done' && phase.name === 'finished') {
            const { outcome } = phase;
            dispatch({ type: 'step-done', step: 'ingest', detail: describeChanges(outcome.counts, outcome.countedAfter) ?? 'no records added' });
          } else dispatch({ type: 'step-skipped', step: 'ingest', detail: phase.name === 'finished' ? `exit ${phase.outcome.exitCode}` : 'skipped' });
        },
      }}
    />
  );
}
