import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is passed on in pieces, so a command that never prints "\n" cannot fill memory. */
const MAX_LINE = 64 * 1024;

/**
 * Turns a byte stream into lines. "\r" ends a line too: progress bars (tqdm, npm) redraw with
 * "\r" and never print "\n" until they finish, and the user should see them move.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.take(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
  }

  /** The stream ended: whatever is left is the last line. */
  end(): void {
    this.take(this.decoder.end());
    if (this.rest !== '') this.emit(this.rest);
    this.rest = '';
  }

  private take(text: string): void {
    const parts = (this.rest + text).split(/\r\n|\n|\r/);
    this.rest = parts.pop() ?? '';
    for (const line of parts) if (line !== '') this.emit(line);
    while (this.rest.length > MAX_LINE) {
      this.emit(this.rest.slice(0, MAX_LINE));
      this.rest = this.rest.slice(MAX_LINE);
    }
  }
}

/** The last `size` lines, for a live view and the final report. */
export class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly size = 10) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }

  get current(): string[] {
    return [...this.lines];
  }
}
