/** The collection-level lines of import's and verify's reports (embedding function, space, HNSW, schema). */
import { describeAppNeeds, type AppNeeds } from '../../core/collection/app-needs.js';
import { describeDifference, type CollectionDifference } from '../../core/collection/compare.js';
import type { LeftOut } from '../../core/collection/plan.js';
import type { CollectionSettingsVerdict } from '../../core/collection/settings-verdict.js';
import { inQuotes } from '../../core/util/format.js';

/** `against`: what the target was compared with, the backup or the live source (verify --source-url, sync). */
export function settingsLines(settings: CollectionSettingsVerdict | null, collection: string, against: 'backup' | 'source' = 'backup'): string[] {
  if (!settings) return [];
  const lines: string[] = [];
  const reference = against === 'source' ? 'the source' : 'the backup';
  if (settings.differences.length === 0) lines.push(`    collection     embedding function, space, HNSW and schema as ${against === 'source' ? 'at the source' : 'the backup says'}`);
  else {
    lines.push(`    collection     ${settings.differences.length} setting(s) differ from ${reference}:`);
    lines.push(...differenceLines(settings.differences));
    if (settings.differences.some((difference) => difference.field === 'embedding_function')) {
      lines.push('      Without its embedding function the app embeds query text with the wrong model. Re-import into a fresh collection');
      lines.push('      (--if-exists recreate), or set it on this one: PUT /api/v2/…/collections/{id} {"new_configuration": {"embedding_function": …}}.');
    }
  }
  if (settings.spaceUnrecorded) lines.push('    space          the backup does not record it; the target\'s is the one chosen at import');
  lines.push(...leftOutLines(settings.leftOut));
  if (settings.app) lines.push(...appLines(collection, settings.app));
  return lines;
}

export function differenceLines(differences: CollectionDifference[]): string[] {
  return differences.map((difference) => `      ✗ ${describeDifference(difference)}`);
}

export function leftOutLines(leftOut: LeftOut[]): string[] {
  if (leftOut.length === 0) return [];
  return ['    left out       what this server cannot hold:', ...leftOut.map((item) => `      - ${item.field}: ${item.why}`)];
}

function appLines(collection: string, needs: AppNeeds): string[] {
  return describeAppNeeds(inQuotes(collection), needs).map((line, index) => (index === 0 ? `    your app       ${line}` : `                   ${line}`));
}
