import type { CollectionImportResult } from '../../core/operations/import.js';
import { inQuotes, shown } from '../../core/util/format.js';

export { importSucceeded } from '../../core/sinks/target/session.js';

/**
 * One line per imported collection, for the CLI and the wizard alike. An append says what it
 * added and what the collection now holds: "2,054/1,177" would read as a mismatch.
 */
export function describeImport(entry: CollectionImportResult, number: (n: number) => string): string {
  const missing = entry.missing > 0 ? ` — ${number(entry.missing)} ids from the backup are missing` : '';
  if (entry.action === 'appended') {
    return `${shown(entry.collection)}: ${number(entry.expected)} records appended; the collection holds ${number(entry.count)}${missing}`;
  }
  const from = entry.resumedFrom > 0 ? ` from ${number(entry.resumedFrom)}` : '';
  if (entry.deletedAtSource) {
    // Sent, then deleted at the source and so from the target: not part of what it should hold.
    const held = entry.count === entry.expected ? number(entry.count) : `${number(entry.count)} of ${number(entry.expected)}`;
    return `${shown(entry.collection)}: ${held} records (${entry.action}${from}; ${number(entry.deletedAtSource)} more were sent, then deleted at the source)${missing}`;
  }
  // More than the backup (records added beside it): the backup's part, then what the collection holds.
  if (entry.count > entry.expected) return `${shown(entry.collection)}: ${number(entry.expected - entry.missing)} of ${number(entry.expected)} records (${entry.action}${from}); the collection holds ${number(entry.count)}${missing}`;
  return `${shown(entry.collection)}: ${number(entry.count)} of ${number(entry.expected)} records (${entry.action}${from})${missing}`;
}

/**
 * Said under a resumed copy's verdicts when an earlier run read (some of) the collections from
 * the source: "✓ … from the backup" is true, but reads as "equals the source", which changed
 * since perhaps. `verify`: the command that compares with the source as it is now, and its notes.
 */
export function readEarlierLines(earlier: { collections: string[]; at: string }, verify: string[]): string[] {
  const names = earlier.collections.map(inQuotes);
  const list = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  const when = earlier.at ? ` (until ${earlier.at.slice(0, 16).replace('T', ' ')} UTC)` : '';
  return [
    `! An earlier run of this copy read ${list} from the source${when}: the check above compares the target with the backup taken then, not with the source as it is now.`,
    '  To compare with the source now:',
    ...verify.map((line) => `    ${line}`),
  ];
}
