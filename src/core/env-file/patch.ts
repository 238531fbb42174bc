import { parse } from 'dotenv';
import { MigrateError } from '../util/errors.js';
import { diffEnv, type EnvChange } from './diff.js';
import { appendToBlock, orphanedHeaderLines } from './block.js';
import { endsWithNewline, fileEol, joinLines, splitLines, type Line } from './lines.js';
import { locateEntries, type EnvEntry } from './locate.js';
import { assertKey, encodeValue } from './quote.js';
import { inQuotes, shown } from '../util/format.js';

export { BLOCK_HEADER } from './block.js';

export interface EnvPatch {
  /** Replaced in place (first occurrence) or appended under BLOCK_HEADER. */
  set: Record<string, string>;
  /** Every occurrence deleted. */
  remove?: string[];
  /** Every occurrence turned into a `# ` comment. */
  comment?: string[];
}

export interface PatchResult {
  text: string;
  /** Keys whose value as dotenv reads it differs after the patch (set, removed or commented). */
  changes: EnvChange[];
}

/** The patched text only; see planEnvPatch for what changed. */
export function patchEnv(text: string, patch: EnvPatch): string {
  return planEnvPatch(text, patch).text;
}

export function planEnvPatch(text: string, patch: EnvPatch): PatchResult {
  const remove = patch.remove ?? [];
  const comment = patch.comment ?? [];
  checkKeys(patch.set, remove, comment);
  const before = parse(text);
  const lines = splitLines(text);
  const eol = fileEol(lines);
  const entries = locateEntries(lines);

  // What becomes of each touched entry, by its first line.
  const edits = new Map<number, { entry: EnvEntry; lines: Line[] }>();
  const append: string[] = [];
  for (const [key, value] of Object.entries(patch.set)) {
    // dotenv lets the last occurrence win, so a key that already reads right is left as written.
    if (before[key] === value) continue;
    const [first, ...later] = entries.filter((entry) => entry.key === key);
    if (!first) {
      append.push(`${key}=${encodeValue(value, key)}`);
      continue;
    }
    // python-dotenv takes a `#` right after an unquoted value for part of it; a space keeps it a comment.
    const comment = first.comment.startsWith('#') ? ` ${first.comment}` : first.comment;
    const replacement = `${first.prefix}${key}=${encodeValue(value, key)}${comment}`;
    edits.set(first.startLine, { entry: first, lines: asLines(replacement, eol, lines[first.endLine]?.eol ?? '') });
    // A later duplicate would win over the new value; kept as a comment rather than lost.
    for (const entry of later) edits.set(entry.startLine, { entry, lines: commented(lines, entry) });
  }
  for (const entry of entries) {
    if (remove.includes(entry.key)) edits.set(entry.startLine, { entry, lines: [] });
    else if (comment.includes(entry.key)) edits.set(entry.startLine, { entry, lines: commented(lines, entry) });
  }

  const removedLines = new Set<number>();
  for (const { entry, lines: replacement } of edits.values()) {
    if (replacement.length === 0) for (let line = entry.startLine; line <= entry.endLine; line += 1) removedLines.add(line);
  }
  for (const line of orphanedHeaderLines(lines, entries, removedLines)) removedLines.add(line);

  const out: Line[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const edit = edits.get(index);
    if (edit) {
      out.push(...edit.lines);
      index = edit.entry.endLine;
    } else if (!removedLines.has(index)) {
      out.push({ ...(lines[index] as Line) });
    }
  }
  if (append.length > 0) appendToBlock(out, append.flatMap((entry) => asLines(entry, eol, eol)), eol);
  settleLineEnds(out, eol, endsWithNewline(lines));

  const result = joinLines(out);
  const after = parse(result);
  checkResult(before, after, patch);
  return { text: result, changes: diffEnv(before, after) };
}

function checkKeys(set: Record<string, string>, remove: string[], comment: string[]): void {
  for (const key of [...Object.keys(set), ...remove, ...comment]) assertKey(key);
  const clash = Object.keys(set).find((key) => remove.includes(key) || comment.includes(key)) ?? remove.find((key) => comment.includes(key));
  if (clash) throw new MigrateError('BAD_INPUT', `${inQuotes(clash)} is both set and removed in one change.`, 'Ask for one or the other.');
}

/** A value written with literal line breaks (quoted) becomes several physical lines. */
function asLines(text: string, eol: Line['eol'], lastEol: Line['eol']): Line[] {
  const parts = text.split('\n');
  return parts.map((part, index) => ({ text: part, eol: index === parts.length - 1 ? lastEol : eol }));
}

function commented(lines: readonly Line[], entry: EnvEntry): Line[] {
  return lines.slice(entry.startLine, entry.endLine + 1).map((line) => ({ text: `# ${line.text}`, eol: line.eol }));
}

/** Every line but the last ends with a break; the last one does as the original's did. */
function settleLineEnds(out: Line[], eol: Line['eol'], finalNewline: boolean): void {
  out.forEach((line, index) => {
    if (index < out.length - 1) line.eol ||= eol;
    else line.eol = finalNewline ? line.eol || eol : '';
  });
}

/** The net we never write without: the patched file must read as intended, every other key unchanged. */
function checkResult(before: Record<string, string>, after: Record<string, string>, patch: EnvPatch): void {
  const expected: Record<string, string> = { ...before, ...patch.set };
  for (const key of [...(patch.remove ?? []), ...(patch.comment ?? [])]) delete expected[key];
  const keys = new Set([...Object.keys(expected), ...Object.keys(after)]);
  const wrong = [...keys].filter((key) => expected[key] !== after[key]);
  if (wrong.length > 0) {
    throw new MigrateError(
      'BAD_INPUT',
      `The .env file has a shape chroma-migrate cannot edit safely: after the change, ${wrong.map(shown).join(', ')} would not read as intended. Nothing was written.`,
      'Edit the file by hand (look for an unclosed quote near those keys), or fix the quoting and run again.',
    );
  }
}
