import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { count } from '../../core/util/format.js';

/**
 * At most `size` items of a list, with a line that says how many are hidden and where to find
 * them: long lists and command output never push the live frame to the terminal's height.
 * `from: 'end'` keeps the newest items (a running command's output).
 */
export function Window<T>({ items, total = items.length, size, from = 'start', render, noun = 'more', where }: {
  items: T[];
  /** How many there are in all, when `items` holds only the newest (a command's output). */
  total?: number;
  size: number;
  from?: 'start' | 'end';
  render: (item: T, index: number) => ReactNode;
  noun?: string;
  where?: string;
}) {
  const fits = total <= size;
  // One line goes to the "… hidden" note when the list does not fit.
  const shown = fits ? items : from === 'end' ? items.slice(items.length - Math.max(1, size - 1)) : items.slice(0, Math.max(1, size - 1));
  const offset = from === 'end' ? total - shown.length : 0;
  const hidden = total - shown.length;
  const note = hidden > 0 ? (
    <Text dimColor>
      {'  '}… {count(hidden)} {noun} {from === 'end' ? 'above' : 'below'}
      {where ? ` (${where})` : ''}
    </Text>
  ) : null;
  return (
    <Box flexDirection="column">
      {from === 'end' ? note : null}
      {shown.map((item, index) => render(item, offset + index))}
      {from === 'start' ? note : null}
    </Box>
  );
}
