import { createContext, useContext, type ReactNode } from 'react';
import { FALLBACK_SIZE } from './terminal-size.js';

/**
 * The room a screen has below the wizard's header and checklist. Screens size their windows
 * (progress bars, command output, long lists) from it, so the live frame stays shorter than
 * the terminal: a frame as tall as the terminal makes Ink clear the screen and its scrollback.
 */
export interface Space {
  columns: number;
  /** Lines the screen may use, all of it: prompts, lists, hints. */
  rows: number;
  /** Below 60 columns: no boxes or columns, plain lines that wrap. */
  narrow: boolean;
}

/** Designed layouts start here; below it the wizard falls back to plain lines. */
export const DESIGNED_MIN_COLUMNS = 60;

const SpaceContext = createContext<Space>({ columns: FALLBACK_SIZE.columns, rows: 12, narrow: false });

export function SpaceProvider({ space, children }: { space: Space; children: ReactNode }) {
  return <SpaceContext.Provider value={space}>{children}</SpaceContext.Provider>;
}

export function useSpace(): Space {
  return useContext(SpaceContext);
}

/**
 * How many items of a list fit when `reserved` lines of the screen are taken by other things
 * (a title, a prompt, a "… more" line): at least `min`, so a tiny terminal still shows some.
 */
export function fitting(space: Space, reserved: number, min = 3): number {
  return Math.max(min, space.rows - reserved);
}
