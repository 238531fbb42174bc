/** Turns the items of a "records" array into validated BackupRecords, in file order. */
import { badBackup } from '../bad-backup.js';
import { explainIssues, rowSchema, toRecord } from '../schemas.js';
import type { BackupRecord } from '../../model/record.js';
import { inQuotes } from '../../util/format.js';

export async function* rowsToRecords(items: AsyncIterable<unknown[]>, label: string, where: string, skip: number): AsyncGenerator<BackupRecord[]> {
  let position = skip;
  let dimension: number | null = null;
  for await (const batch of items) {
    const records: BackupRecord[] = [];
    for (const item of batch) {
      const result = rowSchema.safeParse(item);
      if (!result.success) throw badBackup(`${label} ${where}[${position}]: ${explainIssues(result.error, item, 'record')}`);
      const record = toRecord(result.data);
      const length = record.embedding?.length;
      if (length !== undefined) {
        if (dimension !== null && length !== dimension) {
          throw badBackup(`${label} ${where}[${position}]: record ${inQuotes(record.id)} has ${length} numbers, but earlier embeddings have ${dimension} (mixed dimensions)`);
        }
        dimension = length;
      }
      records.push(record);
      position++;
    }
    yield records;
  }
}
