import type { Line } from './lines.js';

/** Where one KEY=value entry sits in the file; a quoted value may span several lines. */
export interface EnvEntry {
  key: string;
  /** First and last line (0-based, inclusive) the entry occupies. */
  startLine: number;
  endLine: number;
  /** What stands before the key on its line: indentation and `export `. */
  prefix: string;
  /** Whitespace and inline `# comment` after the value on the last line, or ''. */
  comment: string;
}

/**
 * dotenv 17's own LINE pattern (lib/main.js), with the separator captured and the `d` flag for
 * positions. A hand-written scanner would disagree with dotenv on its odd corners (a value on the
 * line after `KEY=`, an unterminated quote that closes lines later); using its grammar means we
 * locate exactly the entries dotenv.parse reads. test/core/env-file/locate.test.ts pins the two together.
 */
const DOTENV_LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

export function locateEntries(lines: readonly Line[]): EnvEntry[] {
  // dotenv parses with every line break turned into \n; line texts are unchanged by that.
  const normalised = lines.map((line) => line.text + (line.eol === '' ? '' : '\n')).join('');
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.text.length + (line.eol === '' ? 0 : 1);
  }
  const lineOf = (position: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  const column = (position: number, line: number): number => position - (starts[line] ?? 0);

  const entries: EnvEntry[] = [];
  DOTENV_LINE.lastIndex = 0;
  for (let match = DOTENV_LINE.exec(normalised); match !== null; match = DOTENV_LINE.exec(normalised)) {
    if (match[0] === '') {
      DOTENV_LINE.lastIndex += 1;
      continue;
    }
    const indices = match.indices;
    const key = match[1];
    const keySpan = indices?.[1];
    const separatorSpan = indices?.[2];
    if (key === undefined || keySpan === undefined || separatorSpan === undefined) continue;
    const leading = /^\s*/.exec(match[0])?.[0].length ?? 0;
    const startLine = lineOf(match.index + leading);
    const keyLine = lineOf(keySpan[0]);
    const valueSpan = indices?.[3];
    // Trailing spaces belong to an unquoted value in the pattern but not to the value dotenv returns.
    const valueEnd = valueSpan && match[3] !== undefined ? valueSpan[0] + match[3].trimEnd().length : separatorSpan[1];
    const lastChar = Math.max(valueEnd - 1, separatorSpan[0]);
    const endLine = lineOf(lastChar);
    const endText = lines[endLine]?.text ?? '';
    const rest = endText.slice(Math.max(0, column(valueEnd, endLine)));
    entries.push({
      key,
      startLine,
      endLine,
      prefix: keyLine === startLine ? (lines[keyLine]?.text ?? '').slice(0, column(keySpan[0], keyLine)) : 'export ',
      comment: /^\s*#/.test(rest) ? rest : '',
    });
  }
  return entries;
}
