import { useRef, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { Para } from './Para.js';

export interface SelectOption {
  label: string;
  value: string;
}

/**
 * A list of choices: ↑/↓ move, Enter chooses. A label that wraps keeps its marker, the space
 * after it and a hanging indent ("❯ Append: upsert the backup into it (same ids are" /
 * "  overwritten)"). `preselect: false` focuses nothing until an arrow is pressed, so Enter alone
 * cannot answer a question whose answer must be the user's own (the distance space). The focus
 * follows its option by value when the list changes under it.
 */
export function Select({ options, onChange, preselect = true }: { options: readonly SelectOption[]; onChange: (value: string) => void; preselect?: boolean }) {
  const [focused, setFocused] = useState<string | null>(preselect ? (options[0]?.value ?? null) : null);
  // Keys can arrive faster than renders (a paste, a test): each moves from the last move, not the last frame.
  const latest = useRef(focused);
  const index = options.findIndex((option) => option.value === focused);
  const move = (by: number) => {
    const at = options.findIndex((option) => option.value === latest.current);
    const next = at < 0 ? (by > 0 ? 0 : options.length - 1) : Math.max(0, Math.min(options.length - 1, at + by));
    latest.current = options[next]?.value ?? null;
    setFocused(latest.current);
  };
  useInput((_input, key) => {
    if (options.length === 0) return;
    if (key.downArrow) move(1);
    else if (key.upArrow) move(-1);
    else if (key.return) {
      const chosen = options.find((option) => option.value === latest.current);
      if (chosen) onChange(chosen.value);
    }
  });
  return (
    <Box flexDirection="column">
      {options.map((option, at) => (
        <Para key={option.value} mark={at === index ? '❯ ' : '  '} color={at === index ? 'cyan' : undefined}>
          {option.label}
        </Para>
      ))}
      {index < 0 && options.length > 0 ? <Text dimColor>  (↑/↓ to choose, then Enter)</Text> : null}
    </Box>
  );
}
