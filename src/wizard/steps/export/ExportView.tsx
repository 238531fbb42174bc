import { Box, Text } from 'ink';
import { MultiSelect } from '@inkjs/ui';
import { Select } from '../../components/Select.js';
import { numberTypesNote } from '../../../core/backup/summary-notes.js';
import type { BackupSummary, CollectionHeader } from '../../../core/model/record.js';
import { spaceUnknown } from '../../../core/collection/plan.js';
import { maskSecret, type Endpoint } from '../../../core/chroma/endpoint.js';
import { compareNames } from '../../../core/sources/server/export-pump.js';
import { LineInput } from '../../components/LineInput.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { PathInput } from '../../components/PathInput.js';
import { FailureChoices } from '../../components/FailureChoices.js';
import { Para } from '../../components/Para.js';
import { ProgressList, type ProgressInfo } from '../../components/Progress.js';
import { Window } from '../../components/Window.js';
import { fitting, useSpace } from '../../layout/space.js';
import { bytes, count, plural } from '../../format.js';
import type { DatabaseSize } from '../../services.js';
import { DatabaseQuestion, DatabaseSummaries } from './DatabasesView.js';
import { backupLabel } from '../../breakdown.js';

export type Breakdown = Array<{ value: string; count: number }> | null;

export type ExportPhase =
  | { name: 'source' }
  | { name: 'file'; error?: unknown; typed?: string }
  | { name: 'checking'; path: string }
  | { name: 'key' }
  | { name: 'listing'; source: Endpoint }
  /** A tenant with several databases: which to export (each whole, all in one file). */
  | { name: 'databases'; source: Endpoint; databases: DatabaseSize[] }
  | { name: 'collections'; source: Endpoint; names: string[] }
  /** `taken`: the path typed before, a file that is there and not this export's own (kept). */
  | { name: 'out'; source: Endpoint; chosen: string[]; databases?: string[]; taken?: string }
  | { name: 'running'; source: Endpoint; chosen: string[]; out: string; databases?: string[] }
  | { name: 'summary'; summary: BackupSummary; size: number; breakdown: Record<string, Breakdown>; fromFile: boolean }
  /** Several databases exported into one file: its collections by database. */
  | { name: 'summaries'; summary: BackupSummary; size: number }
  | { name: 'failed'; error: unknown; retry: ExportPhase };

export interface ExportViewProps {
  phase: ExportPhase;
  /** The Cloud key .env holds, shown masked. */
  cloudKey?: string;
  cwd: string;
  /** The file name offered for a new backup. */
  suggestedOut: string;
  progress: { phase: string; bars: ProgressInfo[] };
  on: {
    source: (choice: 'env' | 'key' | 'file') => void;
    path: (path: string) => void;
    apiKey: (key: string) => void;
    chosen: (source: Endpoint, names: string[]) => void;
    databases: (source: Endpoint, names: string[]) => void;
    out: (out: string) => void;
    next: () => void;
    failure: (choice: 'retry' | 'source') => void;
  };
}

/** Step 1 as the user sees it: where the data is, then the export or the file's summary. */
export function ExportView(props: ExportViewProps) {
  const { phase, on } = props;
  const space = useSpace();
  switch (phase.name) {
    case 'source':
      return <SourceQuestion cloudKey={props.cloudKey} onChoose={on.source} />;
    case 'file':
      return (
        <Box flexDirection="column">
          <Para bold>Step 1 · Path of the backup file (our .jsonl[.gz] or the guide's JSON export):</Para>
          <PathInput cwd={props.cwd} typed={phase.typed} error={phase.error} onSubmit={on.path} />
        </Box>
      );
    case 'checking':
      return <Para>Checking {phase.path}, every record…</Para>;
    case 'key':
      return (
        <Box flexDirection="column">
          <Para bold>Step 1 · Your Chroma Cloud API key (hidden as you type; never saved by chroma-migrate):</Para>
          <LineInput mask onSubmit={(apiKey) => apiKey.trim() && on.apiKey(apiKey.trim())} />
        </Box>
      );
    case 'listing':
      return <Text>Listing collections on Chroma Cloud…</Text>;
    case 'databases':
      return <DatabaseQuestion databases={phase.databases} onSubmit={(names) => on.databases(phase.source, names)} />;
    case 'collections':
      if (phase.names.length === 0) return <ErrorBox error={new Error('Your Chroma Cloud database has no collections to export.')} />;
      return (
        <Box flexDirection="column">
          <Text bold>Step 1 · Collections to export (space toggles, Enter confirms):</Text>
          <MultiSelect
            visibleOptionCount={Math.min(phase.names.length, fitting(space, 2))}
            options={phase.names.map((name) => ({ label: name, value: name }))}
            defaultValue={phase.names}
            // By name too: the picker moves a re-ticked name to the end, and the order is part of
            // the export's resume key (and of the backup).
            onSubmit={(chosen) => chosen.length > 0 && on.chosen(phase.source, [...chosen].sort(compareNames))}
          />
        </Box>
      );
    case 'out':
      return (
        <Box flexDirection="column">
          <Para bold>Step 1 · Write the backup to (Enter for {props.suggestedOut}):</Para>
          {phase.databases ? <Para dim>One file holds all {phase.databases.length} databases; each collection line names its database.</Para> : null}
          {phase.taken ? <TakenNote path={phase.taken} /> : null}
          <LineInput placeholder={props.suggestedOut} onSubmit={(out) => on.out(out.trim() || props.suggestedOut)} />
        </Box>
      );
    case 'running':
      return (
        <Box flexDirection="column">
          <Para bold>Step 1 · Exporting to {phase.out}</Para>
          <Para dim>{props.progress.phase}</Para>
          <ProgressList bars={props.progress.bars} size={fitting(space, 4)} />
        </Box>
      );
    case 'summary':
      return <BackupSummaryView summary={phase.summary} size={phase.size} breakdown={phase.breakdown} onNext={on.next} />;
    case 'summaries':
      return <DatabaseSummaries summary={phase.summary} size={phase.size} onNext={on.next} />;
    case 'failed':
      return (
        <FailureChoices
          error={phase.error}
          options={[
            { label: 'Try again', value: 'retry' },
            { label: 'Choose another source', value: 'source' },
          ]}
          onChange={(value) => on.failure(value === 'retry' ? 'retry' : 'source')}
        />
      );
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}

function TakenNote({ path }: { path: string }) {
  return (
    <Para mark="  ! " color="yellow">
      {path} is there already, and it is not a backup this export wrote before: it was left as it is. Type another name (or move that file away first).
    </Para>
  );
}

function SourceQuestion({ cloudKey, onChoose }: { cloudKey?: string; onChoose: (choice: 'env' | 'key' | 'file') => void }) {
  return (
    <Box flexDirection="column">
      <Text bold>Step 1 · Where is your data?</Text>
      <Select
        options={[
          ...(cloudKey ? [{ label: `Export from Chroma Cloud with the key in .env (${maskSecret(cloudKey)})`, value: 'env' }] : []),
          { label: cloudKey ? 'Export from Chroma Cloud with another API key' : 'Export from Chroma Cloud (type your API key)', value: 'key' },
          { label: 'I already have a backup file', value: 'file' },
        ]}
        onChange={(value) => onChoose(value as 'env' | 'key' | 'file')}
      />
    </Box>
  );
}

function BackupSummaryView({ summary, size, breakdown, onNext }: { summary: BackupSummary; size: number; breakdown: Record<string, Breakdown>; onNext: () => void }) {
  const space = useSpace();
  const total = summary.collections.reduce((sum, header) => sum + header.count, 0);
  const note = numberTypesNote(summary);
  return (
    <Box flexDirection="column">
      <Para mark="✓ " color="green">
        {summary.path} · {bytes(size)} · {count(total)} records
      </Para>
      <Window
        items={summary.collections}
        size={fitting(space, 3, 1)}
        noun="more collections"
        render={(header) => <CollectionLines key={backupLabel(header)} header={header} breakdown={(breakdown[backupLabel(header)] ?? []).slice(0, summary.collections.length > 1 ? 3 : 6)} />}
      />
      {note ? <Para mark="! " color="yellow">{note}</Para> : null}
      <Select options={[{ label: 'Continue to step 2: deploy', value: 'next' }]} onChange={onNext} />
    </Box>
  );
}

function CollectionLines({ header, breakdown }: { header: CollectionHeader; breakdown: Array<{ value: string; count: number }> }) {
  return (
    <Box flexDirection="column">
      <Para indent={2}>
        {backupLabel(header)}: {count(header.count)} records{header.dimension ? `, ${header.dimension}-d` : ''}
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
      {breakdown.map((entry) => (
        <Text key={entry.value} color="gray">
          {'    '}
          {entry.value}: {count(entry.count)} records
        </Text>
      ))}
    </Box>
  );
}
