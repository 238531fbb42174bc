import { count, shown } from '../../core/util/format.js';
import type { ExportedCollection } from '../../core/sources/server/export-pump.js';

/**
 * "2,000 added after they were missed, 2,000 deleted during the export": how the source changed
 * while a collection was read, or null when it held still. The backup holds what the source held
 * at the end either way; this says the reading was not a snapshot.
 */
export function describeSourceChange(collection: ExportedCollection): string | null {
  const parts = [
    collection.added ? `${count(collection.added)} added after they were missed` : '',
    collection.deleted ? `${count(collection.deleted)} deleted during the export (not in the backup: ${(collection.deletedIds ?? []).slice(0, 5).map(shown).join(', ')}${collection.deleted > 5 ? ', …' : ''})` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : null;
}
