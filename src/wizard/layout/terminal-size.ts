import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** What a stream without a size (a pipe, a test double) is taken to be. */
export const FALLBACK_SIZE: TerminalSize = { columns: 80, rows: 24 };

function measure(stdout: NodeJS.WriteStream & { realRows?: number }): TerminalSize {
  // realRows: the terminal's height behind tall-stdout.ts, which tells Ink a taller one.
  return { columns: stdout.columns || FALLBACK_SIZE.columns, rows: (stdout.realRows ?? stdout.rows) || FALLBACK_SIZE.rows };
}

/**
 * The terminal's size, re-read on every resize: the layout follows the window instead of
 * assuming 80×24 (a frame wider than the terminal wraps, and each redraw then leaves a copy).
 */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => measure(stdout));
  useEffect(() => {
    const onResize = () => setSize(measure(stdout));
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
