/** Splits a byte stream into lines, numbering them from 1, without decoding text it skips. */

export type LineHandler = (line: Buffer, lineNo: number, terminated: boolean) => void;

export class LineSplitter {
  private parts: Buffer[] = [];
  private lineNo = 0;
  stopped = false;

  constructor(private readonly onLine: LineHandler) {}

  /** Number of the last line handed over (0 before the first). */
  get lines(): number {
    return this.lineNo;
  }

  write(chunk: Buffer): void {
    let start = 0;
    while (!this.stopped) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      const line = this.parts.length === 0 ? piece : Buffer.concat([...this.parts, piece]);
      this.parts = [];
      start = nl + 1;
      this.onLine(trimCr(line), ++this.lineNo, true);
    }
    if (!this.stopped && start < chunk.length) this.parts.push(chunk.subarray(start));
  }

  /** End of input: a last line without a newline is handed over as unterminated. */
  end(): void {
    if (this.stopped || this.parts.length === 0) return;
    const line = Buffer.concat(this.parts);
    this.parts = [];
    this.onLine(trimCr(line), ++this.lineNo, false);
  }
}

/** Tolerates CRLF files (edited on Windows). */
function trimCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
}
