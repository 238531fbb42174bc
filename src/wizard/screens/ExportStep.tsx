import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { numberTypesNote } from '../../core/backup/summary-notes.js';
import { MultiSelect, PasswordInput, Select, TextInput } from '@inkjs/ui';
import type { BackupSummary } from '../../core/backup/types.js';
import { breakdownBy } from '../../core/breakdown.js';
import { spaceUnknown } from '../../core/collection/plan.js';
import { maskSecret, type Endpoint } from '../../core/chroma/endpoint.js';
import { resolveSource } from '../../core/connection.js';
import { compareNames, resolveTenant } from '../../core/export.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { FailureChoices } from '../components/FailureChoices.js';
import { Progress } from '../components/Progress.js';
import { bytes, count } from '../format.js';
import type { StepProps } from '../session.js';
import { useProgress } from '../use-progress.js';

type Phase =
  | { name: 'source' }
  | { name: 'file'; error?: unknown }
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
      summarise(resolve(services.cwd, phase.path), true).catch((error: unknown) => !cancelled && setPhase({ name: 'file', error }));
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
          <Text bold>Step 1 · Path of the backup file (our .jsonl[.gz] or the guide's JSON export):</Text>
          <TextInput placeholder="./backup.json" onSubmit={(path) => path.trim() && setPhase({ name: 'checking', path: path.trim() })} />
          {phase.error ? <ErrorBox error={phase.error} /> : null}
        </Box>
      );
    case 'checking':
      return <Text>Checking {phase.path}, every record…</Text>;
    case 'key':
      return (
        <Box flexDirection="column">
          <Text bold>Step 1 · Your Chroma Cloud API key (hidden as you type; never saved by chroma-migrate):</Text>
          <PasswordInput
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
          <Text bold>Step 1 · Write the backup to (Enter for {suggested}):</Text>
          <TextInput placeholder={suggested} onSubmit={(out) => setPhase({ name: 'running', source: phase.source, chosen: phase.chosen, out: out.trim() || suggested })} />
        </Box>
      );
    }
    case 'running':
      return (
        <Box flexDirection="column">
          <Text bold>Step 1 · Exporting to {phase.out}</Text>
          <Text color="gray">{progress.phase}</Text>
          {progress.bars.map((entry) => (
            <Progress key={entry.label} {...entry} />
          ))}
        </Box>
      );
    case 'summary': {
      const total = phase.summary.collections.reduce((sum, header) => sum + header.count, 0);
      return (
        <Box flexDirection="column">
          <Text color="green">✓ {phase.summary.path} · {bytes(phase.size)} · {count(total)} records</Text>
          {phase.summary.collections.map((header) => (
            <Box key={header.name} flexDirection="column">
              <Text>
                {'  '}
                {header.name}: {count(header.count)} records{header.dimension ? `, ${header.dimension}-d` : ''}
                {header.space ? `, ${header.space}` : ''}
              </Text>
              {spaceUnknown(header) ? (
                <Text color="yellow">
                  {'    '}! The backup does not record its distance space (l2, cosine or ip): the import will ask
                </Text>
              ) : null}
              {header.withoutEmbedding ? (
                <Text color="yellow">
                  {'    '}! {count(header.withoutEmbedding)} without an embedding: the import will refuse this collection
                </Text>
              ) : null}
              {Object.entries(header.sparseKeys ?? {}).map(([key, n]) => (
                <Text key={`sparse-${key}`} color="yellow">
                  {'    '}! sparse vectors in "{key}" ({count(n)} records): a self-hosted server cannot store them; the import will ask
                </Text>
              ))}
              {Object.entries(header.listKeys ?? {}).map(([key, n]) => (
                <Text key={`list-${key}`} color="gray">
                  {'    '}lists in "{key}" ({count(n)} records): the target needs Chroma 1.5 or newer
                </Text>
              ))}
              {(phase.breakdown[header.name] ?? []).slice(0, 6).map((entry) => (
                <Text key={entry.value} color="gray">
                  {'    '}
                  {entry.value}: {count(entry.count)} records
                </Text>
              ))}
            </Box>
          ))}
          {numberTypesNote(phase.summary) ? <Text color="yellow">! {numberTypesNote(phase.summary)}</Text> : null}
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
