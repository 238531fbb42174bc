import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { isOutTaken } from '../../../core/state/replace-out.js';
import { useState } from 'react';
import { useInput } from 'ink';
import { resolveSource } from '../../../core/chroma/connection.js';
import { count } from '../../format.js';
import { resolveTyped } from '../../path-text.js';
import { describeFailure } from '../../run-log.js';
import type { StepProps } from '../../session.js';
import { useProgress } from '../../use-progress.js';
import { useStepTask } from '../../use-step-task.js';
import { ExportView, type Breakdown, type ExportPhase } from './ExportView.js';
import { listSource } from './databases.js';
import { backupLabel } from '../../breakdown.js';

/** Step 1's questions after the first, which Esc leaves (work in progress is left by Ctrl-C). */
const ASKING = new Set<ExportPhase['name']>(['file', 'key', 'databases', 'collections', 'out']);

/** The metadata key whose values the summary counts ("PayNearMe: 273 records"). */
const BREAKDOWN_KEY = 'client';

/** The day's backup name, numbered past any file already there: Enter never offers to replace one. */
function freeBackupName(cwd: string, now: Date): string {
  const day = `chroma-backup-${now.toISOString().slice(0, 10)}`;
  for (let n = 1; ; n++) {
    const name = `${day}${n === 1 ? '' : `-${n}`}.jsonl.gz`;
    if (!existsSync(join(cwd, name))) return name;
  }
}

/** Step 1's work: check a backup file, or list and export Cloud collections; then summarise the file. */
export function ExportStep({ services, update, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<ExportPhase>({ name: 'source' });
  const progress = useProgress(services.now);
  // Step 1 has no step before it: Esc on one of its questions goes back to "Where is your data?".
  useInput((_input, key) => {
    if (key.escape && ASKING.has(phase.name)) setPhase({ name: 'source' });
  });

  const summarise = async (path: string, fromFile: boolean, live: () => boolean) => {
    const summary = await services.inspectBackup(path, { signal });
    const size = await services.fileSize(path);
    const breakdown: Record<string, Breakdown> = {};
    for (const header of summary.collections) breakdown[backupLabel(header)] = await services.breakdownBy(path, header, BREAKDOWN_KEY, signal);
    if (!live()) return;
    for (const header of summary.collections) services.log(`export: ${summary.path}: ${header.name}, ${count(header.count)} records${header.space ? `, ${header.space}` : ''}`);
    update({ backupPath: summary.path });
    setPhase({ name: 'summary', summary, size, breakdown, fromFile });
  };

  // Several databases in one file: its collections by database (a name may be in several).
  const summariseAll = async (path: string, live: () => boolean) => {
    const summary = await services.inspectBackup(path, { signal });
    const size = await services.fileSize(path);
    if (!live()) return;
    for (const header of summary.collections) services.log(`export: ${summary.path}: ${header.database ?? ''}/${header.name}, ${count(header.count)} records`);
    update({ backupPath: summary.path });
    setPhase({ name: 'summaries', summary, size });
  };

  const working = phase.name === 'checking' || phase.name === 'listing' || phase.name === 'running' ? phase : null;
  useStepTask(
    working,
    async (task, { live }) => {
      if (task.name === 'checking') {
        // Back to the prompt with the text as typed: the user fixes it instead of typing it again.
        await summarise(resolveTyped(task.path, services.cwd, homedir()), true, live).catch((error: unknown) => live() && setPhase({ name: 'file', error, typed: task.path }));
      } else if (task.name === 'listing') {
        const listed = await listSource(services, task.source, signal);
        if (live()) setPhase(listed);
      } else if (task.databases) {
        // As `export --all-databases`: the chosen databases into the one file (format 4).
        const result = await services.exportCollections({ source: task.source, databases: task.databases, out: resolveTyped(task.out, services.cwd, homedir()), statePath: services.statePath, signal, onProgress: progress.onProgress });
        await summariseAll(result.out, live);
      } else {
        const result = await services.exportCollections({ source: task.source, out: resolveTyped(task.out, services.cwd, homedir()), collections: task.chosen, statePath: services.statePath, signal, onProgress: progress.onProgress });
        await summarise(result.out, false, live);
      }
    },
    {
      setBusy,
      onError: (error, task) => {
        services.log(`export: ${describeFailure(error)}`);
        // Someone else's file under that name: asked again for a name, the file kept.
        if (isOutTaken(error) && task.name === 'running') return setPhase({ name: 'out', source: task.source, chosen: task.chosen, ...(task.databases ? { databases: task.databases } : {}), taken: task.out });
        setPhase({ name: 'failed', error, retry: task.name === 'listing' ? { name: 'source' } : task });
      },
    },
  );

  return (
    <ExportView
      phase={phase}
      cloudKey={services.env.CHROMA_API_KEY}
      cwd={services.cwd}
      suggestedOut={freeBackupName(services.cwd, new Date(services.now()))}
      progress={progress}
      on={{
        source: (choice) => setPhase(choice === 'env' ? { name: 'listing', source: resolveSource({}, services.env) } : choice === 'key' ? { name: 'key' } : { name: 'file' }),
        path: (path) => setPhase({ name: 'checking', path: path.trim() }),
        apiKey: (apiKey) => setPhase({ name: 'listing', source: resolveSource({ apiKey }, services.env) }),
        chosen: (source, chosen) => setPhase({ name: 'out', source, chosen }),
        databases: (source, databases) => setPhase({ name: 'out', source, chosen: [], databases }),
        out: (out) => phase.name === 'out' && setPhase({ name: 'running', source: phase.source, chosen: phase.chosen, out, ...(phase.databases ? { databases: phase.databases } : {}) }),
        next: () => {
          if (phase.name === 'summaries') {
            const total = phase.summary.collections.reduce((sum, header) => sum + header.count, 0);
            const databases = new Set(phase.summary.collections.map((header) => header.database)).size;
            return dispatch({ type: 'step-done', step: 'export', detail: `${count(total)} records in ${databases} databases` });
          }
          if (phase.name !== 'summary') return;
          const total = phase.summary.collections.reduce((sum, header) => sum + header.count, 0);
          dispatch({ type: 'step-done', step: 'export', detail: phase.fromFile ? `${count(total)} records in ${basename(phase.summary.path)}` : `${count(total)} records` });
        },
        failure: (choice) => phase.name === 'failed' && setPhase(choice === 'retry' ? phase.retry : { name: 'source' }),
      }}
    />
  );
}
