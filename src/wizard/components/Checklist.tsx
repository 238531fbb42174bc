import { Box, Text } from 'ink';
import { STEPS } from '../../core/state/steps.js';
import type { WizardState } from '../machine.js';
import { Para } from './Para.js';

const MARK = { done: '✓', skipped: '–', failed: '✗', active: '▶', pending: '·' } as const;
const COLOR = { done: 'green', skipped: 'gray', failed: 'red', active: 'cyan', pending: 'gray' } as const;
const HERE = ' ← you are here';

export type ChecklistStyle = 'box' | 'plain' | 'line';

/**
 * The guide's "Migration Status", always on screen, with "← you are here". A box from 60
 * columns; below that plain lines; on a short terminal one line, so the live frame keeps
 * clear of the terminal's height. Details wrap under their step instead of being cut.
 */
export function Checklist({ state, style = 'box' }: { state: WizardState; style?: ChecklistStyle }) {
  if (style === 'line') {
    const index = STEPS.findIndex((step) => step.id === state.screen);
    const marks = STEPS.map((step) => MARK[state.steps[step.id]]).join('');
    const where = index >= 0 ? `Step ${index + 1} of ${STEPS.length}: ${STEPS[index]?.title}` : 'Migration Status';
    return (
      <Para bold>
        {where} <Text color="gray">{marks}</Text>
      </Para>
    );
  }
  const rows = STEPS.map((step, index) => {
    const status = state.steps[step.id];
    const here = state.screen === step.id;
    const detail = state.details[step.id];
    return (
      <Para key={step.id} mark={`${MARK[status]} ${index + 1}. `} color={COLOR[status]}>
        {step.title}
        {detail ? <Text color="gray"> ({detail})</Text> : null}
        {here ? <Text color="cyan" bold>{HERE}</Text> : null}
      </Para>
    );
  });
  if (style === 'plain') {
    return (
      <Box flexDirection="column">
        <Text bold>Migration Status</Text>
        {rows}
      </Box>
    );
  }
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="gray" paddingX={1}>
      <Text bold>Migration Status</Text>
      {rows}
    </Box>
  );
}

/** Lines the checklist takes at this width, wrapped details included: the screen gets the rest. */
export function checklistHeight(state: WizardState, style: ChecklistStyle, columns: number): number {
  if (style === 'line') return 1;
  const inner = Math.max(10, columns - (style === 'box' ? 4 : 0));
  const lines = STEPS.reduce((sum, step, index) => {
    const mark = `${MARK[state.steps[step.id]]} ${index + 1}. `;
    const detail = state.details[step.id];
    const text = `${step.title}${detail ? ` (${detail})` : ''}${state.screen === step.id ? HERE : ''}`;
    return sum + Math.max(1, Math.ceil(text.length / Math.max(1, inner - mark.length)));
  }, 0);
  return lines + 1 + (style === 'box' ? 2 : 0);
}
