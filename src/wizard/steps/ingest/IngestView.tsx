import { Box, Text } from 'ink';
import { Select } from '../../components/Select.js';
import { describeCount, describeOutcome } from '../../../core/ingest/run-ingest.js';
import type { WizardServices } from '../../services.js';
import { LineInput } from '../../components/LineInput.js';
import { FailureChoices } from '../../components/FailureChoices.js';
import { Para } from '../../components/Para.js';
import { Window } from '../../components/Window.js';
import { fitting, useSpace } from '../../layout/space.js';
import { plural } from '../../format.js';

type IngestOutcome = Awaited<ReturnType<WizardServices['runIngest']>>;
export type IngestPhase = { name: 'choose' } | { name: 'command' } | { name: 'running'; command: string } | { name: 'finished'; outcome: IngestOutcome } | { name: 'failed'; error: unknown };
type IngestChoice = 'again' | 'command' | 'edit' | 'skip' | 'done';

export interface IngestViewProps {
  phase: IngestPhase;
  targetUrl: string;
  cwd: string;
  /** The command run last time, offered again. */
  remembered?: string;
  /** What the remembered command lacks (saved masked): it is offered to edit, not to run as it is. */
  withheld?: string[];
  /** The command as it may be shown: its secrets masked. */
  conceal?: (command: string) => string;
  /** The newest lines of output, and how many were printed in all. */
  output: { lines: string[]; printed: number; log: string };
  on: {
    choose: (choice: IngestChoice) => void;
    command: (command: string) => void;
  };
}

const EXAMPLE = 'python3 scripts/ingest_audits.py --local-dir sample_audits/';

/** Step 7 as the user sees it: the command, a window on its output, and what it changed. */
export function IngestView({ phase, targetUrl, cwd, remembered, withheld = [], conceal = (command) => command, output, on }: IngestViewProps) {
  const choose = (value: string) => on.choose(value as IngestChoice);
  const lacking = withheld.length > 0 ? `Not saved, type again where … stands: ${withheld.join(', ')}` : null;
  switch (phase.name) {
    case 'choose':
      return (
        <Box flexDirection="column">
          <Para bold>Step 7 · Ingest the data that did not fit under Cloud's quotas?</Para>
          {/* The URL on a line of its own: a Railway URL would wrap the sentence at 80 columns. */}
          <Para dim>Your command runs with CHROMA_HOST etc. set for this server, never Cloud:</Para>
          <Para dim indent={2}>
            {targetUrl}
          </Para>
          <Select
            options={[
              ...(remembered && !lacking ? [{ label: `Run again: ${conceal(remembered)}`, value: 'again' }] : []),
              ...(remembered && lacking ? [{ label: `Edit the last command: ${remembered}`, value: 'edit' }] : []),
              { label: 'Run my ingestion command', value: 'command' },
              { label: 'Skip: nothing more to ingest', value: 'skip' },
            ]}
            onChange={choose}
          />
        </Box>
      );
    case 'command':
      return (
        <Box flexDirection="column">
          <Para bold>Step 7 · Command to run (in {cwd}):</Para>
          {lacking ? <Para dim>{lacking}</Para> : null}
          <LineInput placeholder={EXAMPLE} defaultValue={remembered} onSubmit={(command) => command.trim() && on.command(command.trim())} />
        </Box>
      );
    case 'running':
      return (
        <Box flexDirection="column">
          <Para bold mark="Step 7 · Running: ">{conceal(phase.command)}</Para>
          <Output {...output} reserved={3} />
        </Box>
      );
    case 'finished':
      return <Finished outcome={phase.outcome} output={output} onChoose={choose} />;
    case 'failed':
      return (
        <FailureChoices
          error={phase.error}
          options={[
            { label: 'Edit the command', value: 'edit' },
            { label: 'Skip this step', value: 'skip' },
          ]}
          onChange={choose}
        />
      );
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}

function Finished({ outcome, output, onChoose }: { outcome: IngestOutcome; output: IngestViewProps['output']; onChoose: (value: string) => void }) {
  return (
    <Box flexDirection="column">
      <Output {...output} reserved={7 + outcome.counts.length} />
      <Para color={outcome.ok ? 'green' : 'red'}>{describeOutcome(outcome)}</Para>
      {outcome.counts.map((entry) => (
        <Para key={entry.collection} indent={2}>
          {describeCount(entry, outcome.countedAfter)}
        </Para>
      ))}
      {outcome.logFile ? <Para dim indent={2}>{`Its whole output (${plural(outcome.lines, 'line')}): ${output.log}`}</Para> : null}
      <Select
        options={[
          ...(outcome.ok ? [{ label: 'Continue', value: 'done' }] : []),
          { label: 'Run it again', value: 'again' },
          { label: 'Edit the command', value: 'edit' },
          ...(outcome.ok ? [] : [{ label: 'Skip this step', value: 'skip' }]),
        ]}
        onChange={onChoose}
      />
    </Box>
  );
}

/** Title, prompt and verdict lines take `reserved` lines; the output gets the rest of the screen's room. */
function Output({ lines, printed, log, reserved }: IngestViewProps['output'] & { reserved: number }) {
  const space = useSpace();
  return (
    <Window
      items={lines}
      total={printed}
      size={fitting(space, reserved)}
      from="end"
      noun="lines"
      where={log ? `all of it in ${log}` : undefined}
      render={(line, index) => (
        <Text key={index} color="gray" wrap="truncate-end">
          {'  │ '}
          {line}
        </Text>
      )}
    />
  );
}
