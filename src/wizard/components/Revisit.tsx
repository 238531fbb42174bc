import { Box, Text } from 'ink';
import { Select } from './Select.js';
import { nextOpenStep, type WizardState } from '../machine.js';
import { STEPS, type StepId } from '../../core/state/steps.js';
import { Para } from './Para.js';

/**
 * A finished step reached with Esc: what it did, and a choice. Going back never runs the step's
 * work again by itself (Esc after the import used to redo steps 4 and 5).
 */
export function Revisit({ step, state, onKeep, onRedo }: { step: StepId; state: WizardState; onKeep: () => void; onRedo: () => void }) {
  const index = STEPS.findIndex((entry) => entry.id === step);
  const next = nextOpenStep(state.steps);
  const nextIndex = next ? STEPS.findIndex((entry) => entry.id === next) : -1;
  const detail = state.details[step];
  const skipped = state.steps[step] === 'skipped';
  return (
    <Box flexDirection="column">
      <Text bold>
        Step {index + 1} · {STEPS[index]?.title}
      </Text>
      <Para mark={skipped ? '– ' : '✓ '} color={skipped ? 'gray' : 'green'}>
        {skipped ? 'Skipped' : 'Done'}
        {detail ? `: ${detail}` : ''}
      </Para>
      <Select
        options={[
          { label: next ? `Keep it and go on to step ${nextIndex + 1}: ${STEPS[nextIndex]?.title}` : 'Keep it and go on to the summary', value: 'keep' },
          { label: 'Do this step again', value: 'redo' },
        ]}
        onChange={(value) => (value === 'redo' ? onRedo() : onKeep())}
      />
    </Box>
  );
}
