import type { ReactNode } from 'react';
import { Box, Text, Transform } from 'ink';

type Color = string | undefined;

/**
 * A paragraph that wraps at word boundaries to the terminal's width, each continuation line
 * indented under the text rather than under its mark ("✓ ", "→ ", "  "), so a long message
 * still reads as one block at 60 columns and nothing important is cut with "…".
 */
export function Para({ mark = '', indent = 0, color, dim, bold, children }: { mark?: string; indent?: number; color?: Color; dim?: boolean; bold?: boolean; children: ReactNode }) {
  return (
    <Box paddingLeft={indent}>
      {mark ? (
        <Box flexShrink={0}>
          <Text color={color} dimColor={dim} bold={bold}>
            {mark}
          </Text>
        </Box>
      ) : null}
      <Box flexShrink={1} flexGrow={1}>
        <Transform transform={withoutWrapSpace}>
          <Text color={color} dimColor={dim} bold={bold} wrap="wrap">
            {children}
          </Text>
        </Transform>
      </Box>
    </Box>
  );
}

/**
 * Ink wraps with wrap-ansi's `trim: false`, so a line broken at a space starts the next one with
 * that space (" never Cloud:"). A continuation line loses it, after any colour codes.
 */
function withoutWrapSpace(line: string, index: number): string {
  return index === 0 ? line : line.replace(/^((?:\u001b\[[0-9;]*m)*) /, '$1');
}
