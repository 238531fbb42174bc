import { Box, Text } from 'ink';
import { STEPS } from '../../core/state/steps.js';
import type { WizardState } from '../../core/state/machine.js';

const MARK = { done: '✓', skipped: '–', failed: '✗', active: '▶', pending: '·' } as const;
const COLOR = { done: 'green', skipped: 'gray', failed: 'red', active: 'cyan', pending: 'gray' } as const;

/** The guide's "Migration Status", always on screen, with "← you are here". */
export function Checklist({ state }: { state: WizardState }) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="gray" paddingX={1}>
      <Text bold>Migration Status</Text>
      {STEPS.map((step, index) => {
        const status = state.steps[step.id];
        const here = state.screen === step.id;
        const detail = state.details[step.id];
        return (
          <Text key={step.id} color={COLOR[status]} wrap="truncate-end">
            {MARK[status]} {index + 1}. {step.title}
            {detail ? <Text color="gray"> ({detail})</Text> : null}
            {here ? <Text color="cyan" bold> ← you are here</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
