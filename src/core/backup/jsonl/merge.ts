/**
 * One backup for several databases: the finished single-database files an export (or a copy)
 * wrote, one per database, written again as one file whose collection lines name their
 * database (format 4). Records are streamed, so memory stays flat whatever the sizes.
 */
import { ownCollectionHeaders, readRecords } from '../read.js';
import { writeBackupWhole } from './write-whole.js';

export interface DatabasePart {
  database: string;
  /** A finished backup of that database alone. */
  path: string;
}

/** Writes `out` (through `out.merging`, renamed when whole) from the parts, in their order. Returns the collections it holds. */
export async function mergeDatabaseFiles(
  parts: DatabasePart[],
  out: string,
  source: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Array<{ database: string; name: string; count: number }>> {
  const options = { source: { ...source, databases: parts.map((part) => part.database) } };
  return writeBackupWhole(out, `${out}.merging`, options, async (writer) => {
    const written: Array<{ database: string; name: string; count: number }> = [];
    for (const part of parts) {
      for (const header of await ownCollectionHeaders(part.path, signal)) {
        await writer.writeCollectionHeader({ ...header, database: part.database });
        let count = 0;
        for await (const batch of readRecords(part.path, header.name, { batchSize: 1000, signal })) {
          await writer.writeRecords(batch);
          count += batch.length;
        }
        await writer.writeCollectionEnd(header.name, count);
        written.push({ database: part.database, name: header.name, count });
      }
    }
    return written;
  });
}
