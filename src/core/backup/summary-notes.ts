import type { BackupSummary } from '../model/record.js';

/** What a backup could not record about its values, said wherever it is read for import or verify. */
export function numberTypesNote(summary: BackupSummary): string | null {
  if (summary.typedNumbers) return null;
  return (
    'This backup was written in chroma-migrate\'s format version 1, which could not tell a whole-number float (2.0) from an int (2) ' +
    'and rounded ints beyond 2^53: such values arrive as ints, as the file holds them. Export again from the source to carry them exactly.'
  );
}
