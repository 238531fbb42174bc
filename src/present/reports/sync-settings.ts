/**
 * The collection-level lines of sync's report: the target collection's settings and metadata
 * that differ from the source's (verify's comparison), and how to mend each kind. sync sends
 * records only, so the fix is always named in words.
 */
import type { CollectionDifference } from '../../core/collection/compare.js';
import { plural } from '../../core/util/format.js';
import { differenceLines } from './collection-report.js';

/** Settings Chroma lets an existing collection change (`new_configuration`); the others are fixed when it is created. */
const SETTABLE = new Set(['hnsw.ef_search', 'embedding_function']);

/**
 * `recreate`: the command that recreates this collection from the source (a copy that deletes
 * the target's first), to paste; empty when there is no one command to give.
 */
export function syncSettingsLines(differences: CollectionDifference[], recreate: string[]): string[] {
  if (differences.length === 0) return ['    collection settings and metadata as the source has them'];
  const metadata = differences.filter((difference) => difference.field.startsWith('metadata.'));
  const settable = differences.filter((difference) => SETTABLE.has(difference.field));
  const fixed = differences.length - metadata.length - settable.length;
  const lines = [`    collection ✗ ${plural(differences.length, 'setting')} ${differences.length === 1 ? 'differs' : 'differ'} from the source's:`, ...differenceLines(differences)];
  if (metadata.length > 0) {
    lines.push('      sync sends records, not the collection\'s own metadata: set it to the source\'s on the target,');
    lines.push('      PUT /api/v2/tenants/…/collections/{id} {"new_metadata": {…the source\'s…}}, or recreate the collection (below).');
  }
  for (const difference of settable) {
    const value = difference.field === 'embedding_function' ? '"embedding_function": {…the source\'s…}' : `"hnsw": {"ef_search": ${difference.expected}}`;
    lines.push(`      ${difference.field} can be set on this collection: PUT /api/v2/tenants/…/collections/{id} {"new_configuration": {${value}}}.`);
  }
  if (fixed > 0 || metadata.length > 0) {
    const why = fixed > 0 ? 'A space, HNSW parameter or schema setting is fixed when a collection is created: recreate' : 'To recreate';
    lines.push(`      ${why} it from the source (this deletes the target's collection first, then copies every record${recreate.length > 0 ? '' : ' with chroma-migrate copy --if-exists recreate'}):`);
    lines.push(...recreate.map((line) => `        ${line}`));
  }
  return lines;
}
