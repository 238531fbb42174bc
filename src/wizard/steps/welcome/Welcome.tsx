import { Box, Text } from 'ink';
import { Select } from '../../components/Select.js';
import { nextOpenStep, type WizardState } from '../../machine.js';
import { STEPS } from '../../../core/state/steps.js';
import { Para } from '../../components/Para.js';

export function Welcome({ state, onBegin, onResume, onStartOver, onQuit }: { state: WizardState; onBegin: () => void; onResume: () => void; onStartOver: () => void; onQuit: () => void }) {
  const next = nextOpenStep(state.steps);
  const resumable = Object.values(state.steps).some((status) => status !== 'pending');
  if (resumable) {
    const index = next ? STEPS.findIndex((step) => step.id === next) : STEPS.length;
    const detail = next && state.details[next] ? ` (${state.details[next]})` : '';
    const label = next ? `Resume at step ${index + 1}: ${STEPS[index]?.title}${detail}` : 'Open the summary (every step is finished)';
    return (
      <Box flexDirection="column">
        <Text>{next ? 'A migration is in progress in this folder.' : 'The migration in this folder is finished.'}</Text>
        <Select
          options={[
            { label, value: 'resume' },
            { label: 'Start over (the old state is kept as a backup)', value: 'over' },
            { label: 'Quit', value: 'quit' },
          ]}
          onChange={(value) => (value === 'resume' ? onResume() : value === 'over' ? onStartOver() : onQuit())}
        />
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Para>This wizard moves your Chroma Cloud collections to a Chroma server you run, points your app's .env at it, and proves that nothing was lost.</Para>
      <Para>Ctrl-C saves your place at any time; run chroma-migrate again to resume.</Para>
      <Select
        options={[
          { label: 'Begin', value: 'begin' },
          { label: 'Quit', value: 'quit' },
        ]}
        onChange={(value) => (value === 'begin' ? onBegin() : onQuit())}
      />
    </Box>
  );
}
