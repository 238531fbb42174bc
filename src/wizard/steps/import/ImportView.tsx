import { Box, Text } from 'ink';
import { Select } from '../../components/Select.js';
import type { Space } from '../../../core/model/record.js';
import type { ExistsChoice, ImportResult } from '../../../core/operations/import.js';
import { SPACE_CHOICES } from '../../../present/space-choices.js';
import { existsChoices } from '../../../present/exists-choices.js';
import { describeImport, importSucceeded } from '../../../present/reports/import-summary.js';
import { describeDifference } from '../../../core/collection/compare.js';
import { isMigrateError } from '../../../core/util/errors.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { LineInput } from '../../components/LineInput.js';
import { Para } from '../../components/Para.js';
import { ProgressList, type ProgressInfo } from '../../components/Progress.js';
import { fitting, useSpace } from '../../layout/space.js';
import { count, inQuotes, shown } from '../../format.js';

export type ImportPhase =
  | { name: 'running' }
  | { name: 'exists'; collection: string; records: number }
  /** Deleting needs the collection's name typed, as `gh repo delete` does. */
  | { name: 'confirm-delete'; collection: string; records: number; mistyped?: string }
  | { name: 'space'; collection: string; source: string }
  | { name: 'finished'; result: ImportResult }
  /** The user chose Cancel for an existing collection: nothing more was changed, and that is no error. */
  | { name: 'cancelled'; collection: string }
  | { name: 'failed'; error: unknown };

type FinishedChoice = 'next' | 'retry';
type FailedChoice = 'retry' | 'back' | 'drop-sparse';
type CancelledChoice = 'retry' | 'back' | 'keep';

export interface ImportViewProps {
  phase: ImportPhase;
  targetUrl: string;
  /** Doing a finished import again: Cancel may keep the earlier one. */
  again?: boolean;
  /** The URL of the wizard's local server when this attempt had to start it again (it had stopped). */
  restarted?: string;
  /** `whole`: several collections, the run as one line (collections done of total, rate, ETA). */
  progress: { phase: string; bars: ProgressInfo[]; whole?: string };
  on: {
    exists: (choice: ExistsChoice) => void;
    /** The name as typed; empty: the user changed their mind. */
    confirmDelete: (typed: string) => void;
    space: (space: Space) => void;
    finished: (choice: FinishedChoice) => void;
    failed: (choice: FailedChoice) => void;
    cancelled: (choice: CancelledChoice) => void;
  };
}

/** Step 5 as the user sees it, with the local server's restart said above whatever follows. */
export function ImportView(props: ImportViewProps) {
  if (!props.restarted) return <ImportPhaseView {...props} />;
  return (
    <Box flexDirection="column">
      <Para mark="! " color="yellow">
        The local Chroma server this wizard started had stopped: started it again at {props.restarted}, on the same data folder.
      </Para>
      <ImportPhaseView {...props} />
    </Box>
  );
}

/** Progress, the questions the import asks, its outcome. */
function ImportPhaseView({ phase, targetUrl, again = false, progress, on }: ImportViewProps) {
  const space = useSpace();
  const bars = (reserved: number) => <ProgressList bars={progress.bars} size={fitting(space, reserved, 1)} />;
  switch (phase.name) {
    case 'running':
      return (
        <Box flexDirection="column">
          <Para bold>Step 5 · Importing into {targetUrl}</Para>
          <Para dim>{progress.phase}</Para>
          {progress.whole ? <Para>{progress.whole}</Para> : null}
          {bars(progress.whole ? 4 : 3)}
        </Box>
      );
    case 'exists':
      return <ExistsQuestion collection={phase.collection} records={phase.records} targetUrl={targetUrl} onChoose={on.exists} />;
    case 'confirm-delete':
      return <ConfirmDelete collection={phase.collection} records={phase.records} mistyped={phase.mistyped} onSubmit={on.confirmDelete} />;
    case 'space':
      return <SpaceQuestion source={phase.source} onChoose={on.space} />;
    case 'finished':
      return <Finished result={phase.result} onChoose={on.finished} />;
    case 'cancelled':
      return <Cancelled collection={phase.collection} again={again} onChoose={on.cancelled} />;
    case 'failed':
      return (
        <Box flexDirection="column">
          {bars(6)}
          <ErrorBox error={phase.error} />
          <Select options={failedOptions(phase.error)} onChange={(value) => on.failed(value as FailedChoice)} />
        </Box>
      );
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}

function ExistsQuestion({ collection, records, targetUrl, onChoose }: { collection: string; records: number; targetUrl: string; onChoose: (choice: ExistsChoice) => void }) {
  return (
    <Box flexDirection="column">
      {/* Name and URL on lines of their own: either may be long, and a sentence would wrap. */}
      <Text bold>Step 5 · This collection already exists on the server:</Text>
      <Para indent={2}>
        {shown(collection)} · {count(records)} records · {targetUrl}
      </Para>
      {/* Enter alone must never delete: the destructive choice comes last, never preselected. */}
      <Select options={existsChoices(records)} onChange={(value) => onChoose(value as ExistsChoice)} />
    </Box>
  );
}

function Cancelled({ collection, again, onChoose }: { collection: string; again: boolean; onChoose: (choice: CancelledChoice) => void }) {
  const options: Array<{ label: string; value: CancelledChoice }> = [
    ...(again ? [{ label: 'Keep the earlier import and go on to step 6: verify', value: 'keep' as const }] : []),
    { label: 'Choose again', value: 'retry' },
    { label: 'Back to the connection test', value: 'back' },
  ];
  return (
    <Box flexDirection="column">
      <Para mark="– " color="gray">
        Cancelled: {inQuotes(collection)} was left as it is.
      </Para>
      <Select options={options} onChange={(value) => onChoose(value as CancelledChoice)} />
    </Box>
  );
}

function ConfirmDelete({ collection, records, mistyped, onSubmit }: { collection: string; records: number; mistyped?: string; onSubmit: (typed: string) => void }) {
  return (
    <Box flexDirection="column">
      <Para bold>
        Step 5 · Delete {inQuotes(collection)} and its {count(records)} records? This cannot be undone.
      </Para>
      <Para>Type its name to confirm (Enter alone goes back to the choices):</Para>
      <LineInput key={mistyped ?? ''} onSubmit={onSubmit} />
      {mistyped !== undefined ? (
        <Para mark="✗ " color="red">
          {inQuotes(mistyped)} is not {inQuotes(collection)}: nothing was deleted.
        </Para>
      ) : null}
    </Box>
  );
}

function SpaceQuestion({ source, onChoose }: { source: string; onChoose: (space: Space) => void }) {
  return (
    <Box flexDirection="column">
      <Text bold>Step 5 · How did &quot;{source}&quot; compare embeddings?</Text>
      <Text>The backup does not record its distance space. Pick the one the collection had on the source:</Text>
      <Text color="gray">searches rank by it, and it cannot be changed after the collection is created.</Text>
      <Select preselect={false} options={[...SPACE_CHOICES]} onChange={(value) => onChoose(value as Space)} />
    </Box>
  );
}

function Finished({ result, onChoose }: { result: ImportResult; onChoose: (choice: FinishedChoice) => void }) {
  const ok = result.collections.every(importSucceeded);
  const missing = result.collections.some((entry) => entry.missing > 0);
  return (
    <Box flexDirection="column">
      {result.collections.map((entry) => (
        <Box key={entry.collection} flexDirection="column">
          <Para mark={importSucceeded(entry) ? '✓ ' : '✗ '} color={importSucceeded(entry) ? 'green' : 'red'}>
            {describeImport(entry, count)}
          </Para>
          {entry.differences.map((difference) => (
            <Para key={difference.field} mark="  ! " color="yellow">
              created, but the server holds it differently: {describeDifference(difference)}
            </Para>
          ))}
        </Box>
      ))}
      {result.notes.map((note) => (
        <Para key={note} mark="! " color="yellow">
          {note}
        </Para>
      ))}
      <Select
        options={
          ok
            ? [{ label: 'Continue to step 6: verify', value: 'next' }]
            : missing
              ? [{ label: 'Import again (re-sends what is missing)', value: 'retry' }, { label: 'Continue to verify anyway', value: 'next' }]
              : // Sending again cannot change how the server made the collection; verify names it.
                [{ label: 'Continue to step 6: verify (it names each difference)', value: 'next' }]
        }
        onChange={(value) => onChoose(value as FinishedChoice)}
      />
    </Box>
  );
}

function failedOptions(error: unknown): Array<{ label: string; value: FailedChoice }> {
  if (cannotHoldSparse(error)) {
    return [
      { label: 'Back to the connection test (nothing was written)', value: 'back' },
      { label: 'Import without the sparse vectors (the backup keeps them)', value: 'drop-sparse' },
    ];
  }
  return [
    { label: isMigrateError(error) && error.code === 'EXISTS' ? 'Choose again' : 'Try again (continues from the checkpoint)', value: 'retry' },
    { label: 'Back to the connection test', value: 'back' },
  ];
}

function cannotHoldSparse(error: unknown): boolean {
  return isMigrateError(error) && error.code === 'CANNOT_HOLD' && /sparse vectors/.test(error.message);
}
