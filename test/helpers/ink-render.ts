/**
 * ink-testing-library's render, with the terminal's size as a parameter: its own stdout is
 * always 100 columns and has no rows, so it can show neither a layout at 60, 80 or 120 columns
 * nor a live frame that grew as tall as the terminal. `resize` fires the event Ink (and the
 * wizard's useTerminalSize) listen to.
 */
import { EventEmitter } from 'node:events';
import type { ReactElement } from 'react';
import { render as inkRender } from 'ink';

export interface TerminalSize {
  columns: number;
  rows: number;
}

class Stdout extends EventEmitter {
  frames: string[] = [];
  private last: string | undefined;
  constructor(public columns: number, public rows: number) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    this.last = frame;
  };
  lastFrame = () => this.last;
}

class Stdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string) => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = () => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

export function renderAt(tree: ReactElement, size: TerminalSize = { columns: 80, rows: 24 }, onRender?: () => void) {
  const stdout = new Stdout(size.columns, size.rows);
  const stderr = new Stdout(size.columns, size.rows);
  const stdin = new Stdin();
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    // Every frame written whole (static output first), so lastFrame() is what the screen shows.
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
    onRender,
  });
  return {
    rerender: instance.rerender,
    unmount: instance.unmount,
    cleanup: instance.cleanup,
    stdout,
    stdin,
    frames: stdout.frames,
    lastFrame: stdout.lastFrame,
    resize(next: TerminalSize) {
      stdout.columns = next.columns;
      stdout.rows = next.rows;
      stdout.emit('resize');
    },
  };
}
