import { readRecords, type CollectionRef } from '../core/backup/read.js';

/** A collection of a backup by name, with its database when the file holds several (a name may be in each). */
export function backupLabel(header: { name: string; database?: string }): string {
  return header.database === undefined ? header.name : `${header.database}/${header.name}`;
}

/**
 * Records per value of one metadata key ("PayNearMe: 273 records"), streamed from the backup.
 * Returns null when no record carries the key, so the screen can leave it out. Give the header
 * (its database), not the name alone: in a file of several databases a name finds the first.
 */
export async function breakdownBy(path: string, collection: CollectionRef, key: string, signal?: AbortSignal): Promise<Array<{ value: string; count: number }> | null> {
  const counts = new Map<string, number>();
  let seen = false;
  for await (const batch of readRecords(path, collection, { batchSize: 1000, signal })) {
    for (const record of batch) {
      const value = record.metadata?.[key];
      if (value === undefined || value === null) continue;
      seen = true;
      counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
    }
  }
  if (!seen) return null;
  return [...counts.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}
