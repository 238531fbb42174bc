export type Eol = '\n' | '\r\n' | '\r';

/** One physical line and the terminator it had, so untouched lines are written back byte for byte. */
export interface Line {
  text: string;
  eol: Eol | '';
}

/** dotenv treats \r\n, \r and \n each as one line break; splitting the same way keeps line numbers aligned with its parser. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const breaks = /\r\n|\r|\n/g;
  let start = 0;
  for (let match = breaks.exec(text); match !== null; match = breaks.exec(text)) {
    lines.push({ text: text.slice(start, match.index), eol: match[0] as Eol });
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

export function joinLines(lines: readonly Line[]): string {
  return lines.map((line) => line.text + line.eol).join('');
}

/** New lines follow the file's own style: the first line break it uses, LF for a file without one. */
export function fileEol(lines: readonly Line[]): Eol {
  return lines.find((line) => line.eol !== '')?.eol || '\n';
}

/** An empty or missing file gets a final newline; otherwise keep whatever the file did. */
export function endsWithNewline(lines: readonly Line[]): boolean {
  const last = lines[lines.length - 1];
  return last === undefined || last.eol !== '';
}

export function isBlank(line: Line | undefined): boolean {
  return line !== undefined && line.text.trim() === '';
}
