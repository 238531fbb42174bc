import { Box } from 'ink';
import { Select } from '../../components/Select.js';
import { describeDifference } from '../../../core/collection/compare.js';
import type { VerifyResult } from '../../../core/operations/verify.js';
import { describeRecall, describeVerdict, recallAdvice } from '../../../present/reports/verify-summary.js';
import { FailureChoices } from '../../components/FailureChoices.js';
import { Para } from '../../components/Para.js';
import { ProgressList, type ProgressInfo } from '../../components/Progress.js';
import { Window } from '../../components/Window.js';
import { fitting, useSpace } from '../../layout/space.js';
import { count, inQuotes, plural, shown } from '../../format.js';

export type VerifyPhase = { name: 'running' } | { name: 'repairing' } | { name: 'finished'; result: VerifyResult } | { name: 'failed'; error: unknown };
export type VerifyChoice = 'next' | 'repair' | 'retry';

export interface VerifyViewProps {
  phase: VerifyPhase;
  bars: ProgressInfo[];
  onChoose: (choice: VerifyChoice) => void;
}

type CollectionVerdict = VerifyResult['collections'][number];

/** Step 6 as the user sees it: every collection's verdict, what differs, and what to do next. */
export function VerifyView({ phase, bars, onChoose }: VerifyViewProps) {
  const space = useSpace();
  switch (phase.name) {
    case 'running':
    case 'repairing':
      return (
        <Box flexDirection="column">
          <Para bold>Step 6 · {phase.name === 'repairing' ? 'Re-sending the backup, then verifying' : 'Comparing every record with the backup'}</Para>
          <ProgressList bars={bars} size={fitting(space, 2, 1)} />
        </Box>
      );
    case 'finished':
      return (
        <Box flexDirection="column">
          <Window
            // The failures first: on a short screen the ✓ lines, not the ✗ ones, go below the fold.
            items={[...phase.result.collections].sort((a, b) => Number(a.ok) - Number(b.ok))}
            // Two lines a collection (three with missing ids).
            size={Math.max(1, Math.floor(fitting(space, 4, 2) / 2))}
            noun="more collections"
            render={(entry) => <Verdict key={entry.collection} entry={entry} />}
          />
          <Select options={choices(phase.result)} onChange={(value) => onChoose(value as VerifyChoice)} />
        </Box>
      );
    case 'failed':
      return <FailureChoices error={phase.error} options={[{ label: 'Try again', value: 'retry' }]} onChange={() => onChoose('retry')} />;
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}

/** Sending the backup again is offered only when it can mend something: records missing or different. */
function choices(result: VerifyResult): Array<{ label: string; value: VerifyChoice }> {
  if (result.ok) return [{ label: 'Continue to step 7: complete ingestion', value: 'next' }];
  const missing = result.collections.some((entry) => entry.missing > 0);
  const differing = result.collections.some((entry) => entry.differing > 0);
  const repair = missing || differing ? [{ label: differing ? 'Send the backup again (rewrites the missing and differing records), then verify again' : 'Re-import the missing records, then verify again', value: 'repair' as const }] : [];
  return [...repair, { label: 'Continue anyway', value: 'next' }];
}

function Verdict({ entry }: { entry: CollectionVerdict }) {
  return (
    <Box flexDirection="column">
      <Para mark={entry.ok ? '✓ ' : '✗ '} color={entry.ok ? 'green' : 'red'}>
        {shown(entry.collection)}: {describeVerdict(entry)}
      </Para>
      <Para indent={2} dim>
        {describeRecall(entry)}
      </Para>
      {recallAdvice(entry) ? (
        <Para mark="  ! " color="yellow">
          {recallAdvice(entry)}
        </Para>
      ) : null}
      {entry.missing > 0 && entry.missingIds.length > 0 ? (
        <Para indent={2} color="yellow">
          missing: {entry.missingIds.slice(0, 3).map(shown).join(', ')}
          {entry.missing > 3 ? ` and ${count(entry.missing - 3)} more` : ''}
        </Para>
      ) : null}
      {entry.differingIds.slice(0, 1).map((first) => (
        <Para key="first" indent={2} color="yellow">
          first difference: {shown(first.id)}: {first.fields.join('; ')}
        </Para>
      ))}
      {(entry.settings?.differences ?? []).map((difference) => (
        <Para key={`setting-${difference.field}`} indent={2} color="yellow">
          {describeDifference(difference)}
        </Para>
      ))}
      {Object.entries(entry.sparseNotCarried).map(([key, n]) => (
        <Para key={`sparse-${key}`} indent={2} color="yellow">
          sparse vectors in {inQuotes(key)} ({plural(n, 'record')}) not carried: a self-hosted server cannot store them; the backup keeps them
        </Para>
      ))}
    </Box>
  );
}
