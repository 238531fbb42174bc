import { useRef, type ReactNode } from 'react';
import { Box, type DOMElement } from 'ink';
import type { WizardState } from '../machine.js';
import { Checklist, checklistHeight, type ChecklistStyle } from '../components/Checklist.js';
import { Header, headerHeight } from '../components/Header.js';
import { DESIGNED_MIN_COLUMNS, SpaceProvider } from '../layout/space.js';
import { useTerminalSize } from '../layout/terminal-size.js';
import { useMeasuredHeight } from '../layout/measured-height.js';
import type { FrameSignal } from '../layout/frames.js';

/**
 * The wizard's frame, all of it live — the header, the checklist and the screen — so a resize
 * draws each again at the new width, and kept shorter than the terminal: at its height Ink
 * clears the screen and the user's scrollback.
 */
export function Frame({ state, frames, children }: { state: WizardState; frames?: FrameSignal; children: ReactNode }) {
  const size = useTerminalSize();
  const narrow = size.columns < DESIGNED_MIN_COLUMNS;
  const full: ChecklistStyle = size.rows < 20 ? 'line' : narrow ? 'plain' : 'box';
  // One line of slack: Ink's own trailing newline, and a word-wrap that takes a line more than counted.
  const header = headerHeight(size.columns);
  const rows = Math.max(4, size.rows - header - checklistHeight(state, full, size.columns) - 2);
  // A screen without a window (the deploy guide, a .env diff at 60 columns) can still be taller
  // than that. Its height is known only after a render, and one frame too tall is enough for
  // Ink to clear the scrollback: so the screen is drawn in a box clipped to the room it has
  // (never taller), measured, and when it does not fit the checklist shrinks to one line.
  // Windows size themselves by the full checklist's room, so the choice cannot flip-flop.
  const screenBox = useRef<DOMElement>(null);
  const screenHeight = useMeasuredHeight(screenBox, frames);
  const style: ChecklistStyle = full !== 'line' && screenHeight !== null && screenHeight > rows ? 'line' : full;
  const room = style === full ? rows : Math.max(4, size.rows - header - checklistHeight(state, style, size.columns) - 2);
  return (
    <Box flexDirection="column">
      <Header columns={size.columns} />
      <Checklist state={state} style={style} />
      <SpaceProvider space={{ columns: size.columns, rows, narrow }}>
        <Box flexDirection="column" height={Math.min(room, screenHeight ?? room)} overflowY="hidden">
          <Box ref={screenBox} flexDirection="column" flexShrink={0}>
            {children}
          </Box>
        </Box>
      </SpaceProvider>
    </Box>
  );
}
