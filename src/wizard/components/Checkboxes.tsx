import { useRef, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { Para } from './Para.js';
import type { SelectOption } from './Select.js';

/**
 * Several choices: ↑/↓ move, space ticks or unticks, Enter confirms (once at least one is
 * ticked). A label that wraps keeps its marks and a hanging indent, as Select's options do;
 * a long list shows `visible` options around the focus.
 */
export function Checkboxes({ options, ticked, visible, onSubmit }: { options: readonly SelectOption[]; ticked: readonly string[]; visible: number; onSubmit: (values: string[]) => void }) {
  const [state, setState] = useState({ focus: 0, ticked: new Set(ticked) });
  // Keys can arrive faster than renders (a paste, a test): each acts on the last key's result.
  const latest = useRef(state);
  const apply = (next: typeof state) => {
    latest.current = next;
    setState(next);
  };
  useInput((input, key) => {
    const now = latest.current;
    if (key.downArrow) apply({ ...now, focus: Math.min(options.length - 1, now.focus + 1) });
    else if (key.upArrow) apply({ ...now, focus: Math.max(0, now.focus - 1) });
    else if (input === ' ') {
      const value = options[now.focus]?.value;
      if (value === undefined) return;
      const next = new Set(now.ticked);
      if (next.has(value)) next.delete(value);
      else next.add(value);
      apply({ ...now, ticked: next });
    } else if (key.return && now.ticked.size > 0) onSubmit(options.filter((option) => now.ticked.has(option.value)).map((option) => option.value));
  });
  const size = Math.max(1, Math.min(visible, options.length));
  const first = Math.max(0, Math.min(state.focus - Math.floor(size / 2), options.length - size));
  return (
    <Box flexDirection="column">
      {options.slice(first, first + size).map((option, at) => {
        const focused = first + at === state.focus;
        return (
          <Para key={option.value} mark={`${focused ? '❯' : ' '} ${state.ticked.has(option.value) ? '◉' : '◯'} `} color={focused ? 'cyan' : undefined}>
            {option.label}
          </Para>
        );
      })}
      {size < options.length ? <Text dimColor>{`  ${first + size < options.length ? `… ${options.length - first - size} more below` : `… ${first} more above`}`}</Text> : null}
      {state.ticked.size === 0 ? <Text color="yellow">  Tick at least one (space), then Enter.</Text> : null}
    </Box>
  );
}
