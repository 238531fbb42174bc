/**
 * Drops records from a finished backup file by writing it again without them: how an export
 * keeps only what the source held at the end (end-check.ts). Readers need no notion of a
 * deleted record: the file simply holds the source's records, once each.
 */
import { ownCollectionHeaders, readRecords } from '../read.js';
import { writeBackupWhole } from './write-whole.js';

export interface Drops {
  /** Ids to leave out of this collection. */
  ids: ReadonlySet<string>;
  /** The records it will hold, for its header line. */
  count: number;
}

/** Rewrites `path` in place; every collection keeps each id once, minus its dropped ids. Returns the counts. */
export async function rewriteWithout(path: string, drops: Map<string, Drops>, source: Record<string, unknown>, signal?: AbortSignal): Promise<Map<string, number>> {
  const headers = await ownCollectionHeaders(path, signal);
  return writeBackupWhole(path, `${path}.rewrite`, { source }, async (writer) => {
    const counts = new Map<string, number>();
    for (const header of headers) {
      const drop = drops.get(header.name)?.ids ?? new Set<string>();
      const seen = new Set<string>();
      await writer.writeCollectionHeader({ ...header, count: drops.get(header.name)?.count ?? header.count });
      for await (const batch of readRecords(path, header.name, { batchSize: 1000, signal })) {
        const kept = batch.filter((record) => !drop.has(record.id) && !seen.has(record.id) && Boolean(seen.add(record.id)));
        if (kept.length > 0) await writer.writeRecords(kept);
      }
      await writer.writeCollectionEnd(header.name, seen.size);
      counts.set(header.name, seen.size);
    }
    return counts;
  });
}
