/**
 * Records the target refuses, set aside (--skip-invalid) in a file next to the backup: one JSON
 * line per record with its collection, id, the reasons and the record itself, values typed as
 * in the backup, so nothing is lost and the file can be mended and imported again. verify reads
 * it back to list them as "refused by the target" rather than as missing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { BackupRecord } from '../../model/record.js';
import { parseTyped, stringifyTyped } from '../../model/typed-json.js';
import { MigrateError } from '../../util/errors.js';
import { describeProblems, recordProblems, refusedCount, type Problem, type TargetRules } from './refusals.js';

export interface RefusedRecord {
  collection: string;
  id: string;
  problems: Problem[];
  record: BackupRecord;
}

export function rejectsPath(backup: string): string {
  return `${backup}.rejects.jsonl`;
}

function lines(refused: RefusedRecord[]): string {
  return refused
    .map(({ collection, id, problems, record }) =>
      stringifyTyped({ collection, id, problems, record: { ...record, embedding: record.embedding === null ? null : Array.from(record.embedding) } }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** A fresh file (an import knows every refusal before it writes). */
export async function writeRejects(path: string, refused: RefusedRecord[]): Promise<void> {
  await writeFile(path, lines(refused));
}

/** The refused ids by collection (as named on the target); empty when there is no rejects file. */
export async function readRejectedIds(path: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = parseTyped(line) as { collection?: unknown; id?: unknown };
    if (typeof entry.collection !== 'string' || typeof entry.id !== 'string') continue;
    const ids = out.get(entry.collection) ?? new Set<string>();
    ids.add(entry.id);
    out.set(entry.collection, ids);
  }
  return out;
}

/**
 * A copy's page on its way to the target: its source says what its records hold only as they
 * are read, so each page is checked before it is sent, and a refused record stops the copy there.
 */
export function checkPage(records: readonly BackupRecord[], collection: string, rules: TargetRules): void {
  const found: RefusedRecord[] = [];
  for (const record of records) {
    const problems = recordProblems(record, rules);
    if (problems.length > 0) found.push({ collection, id: record.id, problems, record });
  }
  if (found.length > 0) {
    throw refusedError(found, {
      stopped: 'The copy stopped before sending that page; what it sent before is on the target, and the backup file holds every record read so far.',
      fix: 'To move all but the refused records: export the collection (an export takes every record), then import the file with --skip-invalid, which sets them aside in a rejects file. Or copy the other collections with --collections, or mend the records at the source.',
    });
  }
}

/** The refusal that stops a run before it writes, naming collection, ids and keys. */
export function refusedError(refused: RefusedRecord[], words: { stopped: string; fix: string }): MigrateError {
  const byCollection = new Map<string, RefusedRecord[]>();
  for (const entry of refused) byCollection.set(entry.collection, [...(byCollection.get(entry.collection) ?? []), entry]);
  const parts = [...byCollection].map(([collection, entries]) => {
    const shown = entries.slice(0, 3).map((entry) => describeProblems(entry.id, entry.problems));
    const more = entries.length > 3 ? `; and ${refusedCount(entries.length - 3)} more` : '';
    return `${refusedCount(entries.length)} of "${collection}" — ${shown.join('; ')}${more}`;
  });
  return new MigrateError(
    'CANNOT_HOLD',
    `The target would refuse ${parts.join('. ')}. ${words.stopped}`,
    words.fix,
  );
}
