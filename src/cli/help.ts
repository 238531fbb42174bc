import type { Flags, FlagSpec } from './args.js';
import { wrapCommand, wrapWords } from './wrap.js';

interface Example {
  /** The command, as typed. */
  run: string;
  /** What it does, shown above it as a shell comment. */
  what?: string;
}

/** What --help shows, in parts, so every part wraps to the terminal at word boundaries. */
export interface HelpSpec {
  name: string;
  /** What follows `chroma-migrate NAME` on each usage line. */
  usage: string[];
  /** Paragraphs separated by blank lines; each is reflowed. */
  description: string;
  flags: Flags;
  /** Titles and closing notes of shared flag groups (e.g. the target's), by group name. */
  groups?: Record<string, { title: string; note?: string }>;
  /** Paragraphs after the flags. */
  notes?: string;
  examples: Example[];
  exitCodes?: string;
}

const FLAG_COLUMN = 24;

function paragraphs(text: string, width: number): string[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => wrapWords(paragraph, width).join('\n'))
    .filter((paragraph) => paragraph !== '');
}

function flagLines(key: string, spec: FlagSpec, width: number): string[] {
  const name = `--${spec.display ?? key}${spec.arg ? ` ${spec.arg}` : ''}${spec.short ? `, -${spec.short}` : ''}`;
  const left = `  ${name}`;
  const indent = ' '.repeat(FLAG_COLUMN);
  if (left.length >= FLAG_COLUMN - 1) return [left, ...wrapWords(spec.help, width, indent)];
  return wrapWords(spec.help, width, left.padEnd(FLAG_COLUMN), indent);
}

function flagSections(spec: HelpSpec, width: number): string[] {
  const byGroup = new Map<string, string[]>();
  for (const [key, flag] of Object.entries(spec.flags)) {
    const group = flag.group ?? '';
    byGroup.set(group, [...(byGroup.get(group) ?? []), ...flagLines(key, flag, width)]);
  }
  return [...byGroup].map(([group, lines]) => {
    const info = spec.groups?.[group];
    const title = group === '' ? 'Options:' : `${info?.title ?? group}:`;
    const note = info?.note ? wrapWords(info.note, width, '  ') : [];
    return [title, ...lines, ...note].join('\n');
  });
}

export function renderHelp(spec: HelpSpec, width: number): string {
  const usage = spec.usage.map((line, index) => wrapWords(`chroma-migrate ${spec.name} ${line}`, width, index === 0 ? 'Usage: ' : '       ', '           ').join('\n'));
  const examples = spec.examples.flatMap((example) => [...(example.what ? wrapWords(example.what, width, '  # ', '  # ') : []), ...wrapCommand(example.run, width)]);
  return [
    usage.join('\n'),
    ...paragraphs(spec.description, width),
    ...flagSections(spec, width),
    ...(spec.notes ? paragraphs(spec.notes, width) : []),
    ['Examples:', ...examples].join('\n'),
    ...(spec.exitCodes ? [wrapWords(`Exit codes: ${spec.exitCodes}`, width).join('\n')] : []),
  ].join('\n\n');
}
