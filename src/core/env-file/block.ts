import { isBlank, type Line } from './lines.js';
import type { EnvEntry } from './locate.js';

/** The comment above keys we append, and how we find our block again on the next run. */
export const BLOCK_HEADER = '# Self-hosted Chroma (chroma-migrate)';

/**
 * Our header whose whole block is being removed goes too, with the blank line appendToBlock put
 * before it, so rollback after `env set` gives back the file byte for byte rather than leaving a
 * stray comment.
 */
export function orphanedHeaderLines(lines: readonly Line[], entries: readonly EnvEntry[], removed: ReadonlySet<number>): number[] {
  const orphaned: number[] = [];
  // A line inside a multi-line value that happens to read like our header is not one.
  const inValue = new Set(entries.flatMap((entry) => range(entry.startLine + 1, entry.endLine)));
  lines.forEach((line, header) => {
    if (line.text.trim() !== BLOCK_HEADER || inValue.has(header)) return;
    let end = header + 1;
    while (end < lines.length && !isBlank(lines[end])) end += 1;
    if (end === header + 1) return;
    for (let index = header + 1; index < end; index += 1) if (!removed.has(index)) return;
    orphaned.push(header);
    if (isBlank(lines[header - 1]) && !removed.has(header - 1)) orphaned.push(header - 1);
    else if (isBlank(lines[end])) orphaned.push(end);
  });
  return orphaned;
}

/** New keys go under our header if an earlier run left it, else at the end under a new one. */
export function appendToBlock(out: Line[], added: Line[], eol: Line['eol']): void {
  const header = out.findIndex((line) => line.text.trim() === BLOCK_HEADER);
  if (header >= 0) {
    let end = header + 1;
    while (end < out.length && !isBlank(out[end])) end += 1;
    const previous = out[end - 1];
    if (previous && previous.eol === '') previous.eol = eol;
    out.splice(end, 0, ...added);
    return;
  }
  const last = out[out.length - 1];
  if (last && last.eol === '') last.eol = eol;
  // Always one blank line of our own, even after a blank line, so removing the block removes exactly it.
  if (last) out.push({ text: '', eol });
  out.push({ text: BLOCK_HEADER, eol }, ...added);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);
}
