/**
 * Words wrapped at spaces to a width, the first line after `first` and the rest after `rest`
 * (a hanging indent). A word longer than the room stays whole on its own line: a path or a URL
 * cut in two cannot be pasted.
 */
export function wrapWords(text: string, width: number, first = '', rest = first): string[] {
  const words = text.split(/\s+/).filter((word) => word !== '');
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines.map((entry) => entry.trimEnd());
}

/** A shell command that fits: wrapped at spaces, continued with " \" as a shell reads it. */
export function wrapCommand(command: string, width: number, indent = '  '): string[] {
  const lines = wrapWords(command, width - 2, indent, `${indent}    `);
  return lines.map((line, index) => (index < lines.length - 1 ? `${line} \\` : line));
}

/** How wide help may be: the terminal's width, 80 when output is not a terminal, never wider than 100. */
export function helpWidth(stream: { isTTY?: boolean; columns?: number }, env: Record<string, string | undefined>): number {
  const fromEnv = Number(env.COLUMNS);
  const columns = stream.isTTY === true && stream.columns ? stream.columns : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
  return Math.max(40, Math.min(100, columns));
}
