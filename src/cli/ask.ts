import type { Space } from '../core/model/record.js';
import { wrapWords } from './wrap.js';
import type { ExistsChoice } from '../core/operations/import.js';
import { formatEnvChanges, type EnvChange } from '../core/env-file/diff.js';
import { inQuotes } from '../core/util/format.js';
import { MigrateError } from '../core/util/errors.js';
import { existsChoices, existsQuestion } from '../present/exists-choices.js';
import { SPACE_CHOICES } from '../present/space-choices.js';
import { isInteractive, loadPrompts, type CommandIo } from './io.js';

/** The questions import and copy ask at a terminal, on stderr so stdout stays for --json. */
export async function askSpace(info: { collection: string; source: string }, io: CommandIo): Promise<Space> {
  const { select } = await loadPrompts();
  return select<Space>(
    {
      message: `The backup does not record how collection ${inQuotes(info.source)} compared embeddings (its distance space). Which did it use on the source?`,
      choices: SPACE_CHOICES.map((choice) => ({ name: choice.label, value: choice.value })),
    },
    { output: io.stderr, signal: io.signal },
  );
}

export async function askExists(info: { collection: string; count: number; inBackup?: number }, io: CommandIo): Promise<ExistsChoice> {
  const { select } = await loadPrompts();
  const width = Math.max(40, ((io.stderr as { columns?: number }).columns ?? 80) - 8);
  return select<ExistsChoice>(
    {
      message: wrapWords(existsQuestion(info), width).join('\n'),
      choices: existsChoices(info.count, info.inBackup).map((choice) => ({ name: choice.label, value: choice.value })),
      default: 'append',
    },
    { output: io.stderr, signal: io.signal },
  );
}

/** An --out that is there already and not this export's own: kept unless the person says to replace it. */
export async function askReplace(path: string, io: CommandIo): Promise<boolean> {
  const { confirm } = await loadPrompts();
  const width = Math.max(40, ((io.stderr as { columns?: number }).columns ?? 80) - 8);
  const question = `${path} exists, and it is not a backup this export wrote before. Replace it with the new backup?`;
  return confirm({ message: wrapWords(question, width).join('\n'), default: false }, { output: io.stderr, signal: io.signal });
}

/** A .env change as a diff (tokens masked) on stderr, with the rest of the conversation. */
export function showChanges(io: CommandIo, title: string, changes: readonly EnvChange[], options: { commented?: boolean } = {}): void {
  io.stderr.write(`${title}\n${formatEnvChanges(changes, options).map((line) => `  ${line}\n`).join('')}`);
}

/** --yes answers; otherwise ask at a terminal, and without one say which flag answers instead. */
export async function confirmChange(io: CommandIo, yes: boolean | undefined, question: string, what: string, defaultAnswer = true): Promise<boolean> {
  if (yes) return true;
  if (!isInteractive(io)) {
    throw new MigrateError('NEEDS_ANSWER', `${what}, and there is no terminal to ask for confirmation.`, 'Run again with --yes to confirm (or --dry-run to only see the change).');
  }
  const { confirm } = await loadPrompts();
  // Wrapped at spaces to the terminal, with room for "? " and " (Y/n)": a terminal breaks a long line mid-word.
  const width = Math.max(40, ((io.stderr as { columns?: number }).columns ?? 80) - 8);
  return confirm({ message: wrapWords(question, width).join('\n'), default: defaultAnswer }, { output: io.stderr, signal: io.signal });
}
