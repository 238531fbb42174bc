import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { numberTypesNote } from '../../core/backup/summary-notes.js';
import { MultiSelect, Select } from '@inkjs/ui';
import { LineInput } from '../components/LineInput.js';
import type { BackupSummary } from '../../core/model/record.js';
import { breakdownBy } from '../breakdown.js';
import { spaceUnknown } from '../../core/collection/plan.js';
import { maskSecret, type Endpoint } from '../../core/chroma/endpoint.js';
import { resolveSource } from '../../core/chroma/connection.js';
import { compareNames } from '../../core/sources/server/export-pump.js';
import { resolveTenant } from '../../core/chroma/tenant.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { PathInput } from '../components/PathInput.js';
import { FailureChoices } from '../components/FailureChoices.js';
import { Para } from '../components/Para.js';
import { ProgressList } from '../components/Progress.js';
import { Window } from '../components/Window.js';
import { fitting, useSpace } from '../layout/space.js';
import { bytes, count, plural } from '../format.js';
import type { StepProps } from '../session.js';
import { useProgress } from '../use-progress.js';

type Phase =
  | { name: 'source' }
  | { name: 'file'; error?: unknown; typed?: string }
  | { name: 'checking'; path: string }
  | { name: 'key' }
  | { name: 'listing'; source: Endpoint }
  | { name: 'collections'; source: Endpoint; names: string[] }
  | { name: 'out'; source: Endpoint; chosen: string[] }
  | { name: 'running'; source: Endpoint; chosen: string[]; out: string }
  | { name: 'summary'; summary: BackupSummary; size: number; breakdown: Record<string, Array<{ value: string; count: number }> | null>; fromFile: boolean }
  | { name: 'failed'; error: unknown; retry: Phase };

const BREAKDOWN_KEY = 'client';

export function ExportStep({ services, update, dispatch, signal, setBusy }: StepProps) {
  const [phase, setPhase] = useState<Phase>({ name: 'source' });
  const progress = useProgress(services.now);
  const space = useSpace();
  const cloudKey = services.env.CHROMA_API_KEY;

  const summarise = async (path: string, fromFile: boolean) => {
    const summary = await services.inspectBackup(path, { signal });
    const size = (await stat(path)).size;
    const breakdown: Record<string, Array<{ value: string; count: number }> | null> = {};
    for (const header of summary.collections) breakdown[header.name] = await breakdownBy(path, header.name, BREAKDOWN_KEY, signal);
    update({ backupPath: summary.path });
    setPhase({ name: 'summary', summary, size, breakdown, fromFile });
  };

  useEffect(() => {
    setBusy(phase.name === 'checking' || phase.name === 'listing' || phase.name === 'running');
    let cancelled = false;
    const fail = (error: unknown, retry: Phase) => !cancelled && setPhase({ name: 'failed', error, retry });
    if (phase.name === 'checking') {
      // Back to the prompt with the text as typed: the user fixes it instead of typing it again.
      summarise(resolve(services.cwd, phase.path), true).catch((error: unknown) => !cancelled && setPhase({ name: 'file', error, typed: phase.path }));
    } else if (phase.name === 'listing') {
      resolveTenant(phase.source, signal)
        .then(async (source) => {
          const infos = await services.api(source).allCollections({ signal });
          // The server lists in no fixed order: by name, the list is the same each time.
          const names = infos.map((info) => info.name).sort(compareNames);
          if (!cancelled) setPhase({ name: 'collections', source, names });
        })
        .catch((error: unknown) => fail(error, { name: 'source' }));
    } else if (phase.name === 'running') {
      services
        .exportCollections({ source: phase.source, out: resolve(services.cwd, phase.out), collections: phase.chosen, statePath: services.statePath, signal, onProgress: progress.onProgress })
        .then((result) => summarise(result.out, false))
        .catch((error: unknown) => fail(error, phase));
    }
    return () => {
      cancelled = true;
    };
    // Each phase starts its own work once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [phase]);

  const cloudFromEnv = () => resolveSource({}, services.env);

  switch (phase.name) {
    case 'source':
      return (
        <Box flexDirection="column">
          <Text bold>Step 1 · Where is your data?</Text>
          <Select
            options={[
              ...(cloudKey ? [{ label: `Export from Chroma Cloud with the key in .env (${maskSecret(cloudKey)})`, value: 'env' }] : []),
              { label: cloudKey ? 'Export from Chroma Cloud with another API key' : 'Export from Chroma Cloud (type your API key)', value: 'key' },
              { label: 'I already have a backup file', value: 'file' },
            ]}
            onChange={(value) => {
              if (value === 'file') setPhase({ name: 'file' });
              else if (value === 'key') setPhase({ name: 'key' });
              else setPhase({ name: 'listing', source: cloudFromEnv() });
            }}
          />
        </Box>
      );
    case 'file':
      return (
        <Box flexDirection="column">
          <Para bold>Step 1 · Path of the backup file (our .jsonl[.gz] or the guide's JSON export):</Para>
          <PathInput cwd={services.cwd} typed={phase.typed} error={phase.error} onSubmit={(path) => setPhase({ name: 'checking', path: path.trim() })} />
        </Box>
      );
    case 'checking':
      return <Para>Checking {phase.path}, every record…</Para>;
    case 'key':
      return (
        <Box flexDirection="column">
          <Para bold>Step 1 · Your Chroma Cloud API key (hidden as you type; never saved by chroma-migrate):</Para>
          <LineInput
            mask
            onSubmit={(apiKey) =>
              apiKey.trim() && setPhase({ name: 'listing', source: resolveSource({ apiKey: apiKey.trim() }, services.env) })
            }
          />
        </Box>
      );
    case 'listing':
      return <Text>Listing collections on Chroma Cloud…</Text>;
    case 'collections':
      if (phase.names.length === 0) {
        return <ErrorBox error={new Error('Your Chroma Cloud database has no collections to export.')} />;
      }
      return (
        <Box flexDirection="column">
          <Text bold>Step 1 · Collections to export (space toggles, Enter confirms):</Text>
          <MultiSelect
            visibleOptionCount={Math.min(phase.names.length, fitting(space, 2))}
            options={phase.names.map((name) => ({ label: name, value: name }))}
            defaultValue={phase.names}
            // By name too: the picker moves a re-ticked name to the end, and the order is part of
            // the export's resume key (and of the backup).
            onSubmit={(chosen) => chosen.length > 0 && setPhase({ name: 'out', source: phase.source, chosen: [...chosen].sort(compareNames) })}
          />
        </Box>
      );
    case 'out': {
      const suggested = `chroma-backup-${new Date(services.now()).toISOString().slice(0, 10)}.jsonl.gz`;
      return (
        <Box flexDirection="column">
          <Para bold>Step 1 · Write the backup to (Enter for {suggested}):</Para>
          <LineInput placeholder={suggested} onSubmit={(out) => setPhase({ name: 'running', source: phase.source, chosen: phase.chosen, out: out.trim() || suggested })} />
        </Box>
      );
    }
    case 'running':
      return (
        <Box flexDirection="column">
          <Para bold>Step 1 · Exporting to {phase.out}</Para>
          <Para dim>{progress.phase}</Para>
          <ProgressList bars={progress.bars} size={fitting(space, 4)} />
        </Box>
      );
    case 'summary': {
      const total = phase.summary.collections.reduce((sum, header) => sum + header.count, 0);
      return (
        <Box flexDirection="column">
          <Para mark="✓ " color="green">
            {phase.summary.path} · {bytes(phase.size)} · {count(total)} records
          </Para>
          <Window
            items={phase.summary.collections}
            size={fitting(space, 3, 1)}
            noun="more collections"
            render={(header) => (
            <Box key={header.name} flexDirection="column">
              <Para indent={2}>
                {header.name}: {count(header.count)} records{header.dimension ? `, ${header.dimension}-d` : ''}
                {header.space ? `, ${header.space}` : ''}
              </Para>
              {spaceUnknown(header) ? (
                <Para mark="    ! " color="yellow">
                  The backup does not record its distance space (l2, cosine or ip): the import will ask
                </Para>
              ) : null}
              {header.withoutEmbedding ? (
                <Para mark="    ! " color="yellow">
                  {count(header.withoutEmbedding)} without an embedding: the import will refuse this collection
                </Para>
              ) : null}
              {Object.entries(header.sparseKeys ?? {}).map(([key, n]) => (
                <Para key={`sparse-${key}`} mark="    ! " color="yellow">
                  sparse vectors in "{key}" ({plural(n, 'record')}): a self-hosted server cannot store them; the import will ask
                </Para>
              ))}
              {Object.entries(header.listKeys ?? {}).map(([key, n]) => (
                <Para key={`list-${key}`} indent={4} dim>
                  lists in "{key}" ({plural(n, 'record')}): the target needs Chroma 1.5 or newer
                </Para>
              ))}
              {(phase.breakdown[header.name] ?? []).slice(0, phase.summary.collections.length > 1 ? 3 : 6).map((entry) => (
                <Text key={entry.value} color="gray">
                  {'    '}
                  {entry.value}: {count(entry.count)} records
                </Text>
              ))}
            </Box>
            )}
          />
          {numberTypesNote(phase.summary) ? <Para mark="! " color="yellow">{numberTypesNote(phase.summary)}</Para> : null}
          <Select
            options={[{ label: 'Continue to step 2: deploy', value: 'next' }]}
            onChange={() => dispatch({ type: 'step-done', step: 'export', detail: phase.fromFile ? `${count(total)} records in ${basename(phase.summary.path)}` : `${count(total)} records` })}
          />
        </Box>
      );
    }
    case 'failed':
      return (
        <FailureChoices
          error={phase.error}
          options={[
              { label: 'Try again', value: 'retry' },
              { label: 'Choose another source', value: 'source' },
            ]}
          onChange={(value) => setPhase(value === 'retry' ? phase.retry : { name: 'source' })}
        />
      );
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}
