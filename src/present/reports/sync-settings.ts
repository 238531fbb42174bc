/**
 * The collection-level lines of sync's report: the target collection's settings and metadata
 * that differ from the source's (verify's comparison), each with what mends it
 * (core/collection/settings-fix.ts). sync sends records only, so a fix is named in words; a
 * schema key that comes with the records needs none.
 */
import type { SettingDifference } from '../../core/collection/settings-fix.js';
import { plural, shown } from '../../core/util/format.js';
import { differenceLines } from './collection-report.js';

/**
 * `recreate`: the command that recreates this collection from the source (a copy that deletes
 * the target's first), to paste; empty when there is no one command to give. `dryRun`: nothing
 * was sent yet, so keys that come with the records are still to come.
 */
export function syncSettingsLines(differences: SettingDifference[], recreate: string[], dryRun = false): string[] {
  if (differences.length === 0) return ['    collection settings and metadata as the source has them'];
  const rest = differences.filter((difference) => difference.fix !== 'records');
  return [...mendLines(rest, recreate), ...withRecordsLines(differences.filter((difference) => difference.fix === 'records'), dryRun)];
}

function mendLines(differences: SettingDifference[], recreate: string[]): string[] {
  if (differences.length === 0) return [];
  const metadata = differences.some((difference) => difference.fix === 'metadata');
  const fixed = differences.some((difference) => difference.fix === 'recreate');
  const lines = [`    collection ✗ ${plural(differences.length, 'setting')} ${differences.length === 1 ? 'differs' : 'differ'} from the source's:`, ...differenceLines(differences)];
  if (metadata) {
    lines.push('      sync sends records, not the collection\'s own metadata: set it to the source\'s on the target,');
    lines.push(`      PUT /api/v2/tenants/…/collections/{id} {"new_metadata": {…the source's…}}${fixed ? '' : ', or recreate the collection (below)'}.`);
  }
  const configuration = configurationBody(differences);
  if (configuration) {
    lines.push(`      ${fixed ? 'Of these, the search settings can' : 'These can'} be set on the existing collection, its records untouched:`);
    lines.push(`      PUT /api/v2/tenants/…/collections/{id} {"new_configuration": ${configuration}}.`);
  }
  if (fixed || metadata) {
    const why = fixed ? `${fixedNames(differences)} ${differences.filter((difference) => difference.fix === 'recreate').length === 1 ? 'is' : 'are'} fixed when a collection is created: recreate` : 'To recreate';
    lines.push(`      ${why} it from the source (this deletes the target's collection first, then copies every record${recreate.length > 0 ? '' : ' with chroma-migrate copy --if-exists recreate'}):`);
    lines.push(...recreate.map((line) => `        ${line}`));
  }
  return lines;
}

/** `{"hnsw": {"ef_search": 100}, "embedding_function": {…}}` for what a PUT sets; null when nothing. */
function configurationBody(differences: SettingDifference[]): string | null {
  const hnsw = new Map<string, string>();
  let ef = false;
  for (const difference of differences.filter((entry) => entry.fix === 'configuration')) {
    const parameter = /(?:^|\.)hnsw\.([^.]+)$/.exec(difference.field)?.[1];
    // "100" from the configuration, "int 100" from the schema: the number either way.
    if (parameter) hnsw.set(parameter, difference.expected.replace(/^(int|float) /, ''));
    else ef = true;
  }
  const parts = [
    ...(hnsw.size > 0 ? [`"hnsw": {${[...hnsw].map(([name, value]) => `"${name}": ${value}`).join(', ')}}`] : []),
    ...(ef ? ['"embedding_function": {…the source\'s…}'] : []),
  ];
  return parts.length > 0 ? `{${parts.join(', ')}}` : null;
}

function fixedNames(differences: SettingDifference[]): string {
  const names = new Set(differences.filter((difference) => difference.fix === 'recreate').map((difference) => (difference.field.startsWith('schema.') ? 'a schema index switch' : difference.field.replace(/^hnsw\./, ''))));
  return [...names].join(', ').replace(/^./, (first) => first.toUpperCase());
}

/** Schema keys the target lacks, indexed by its defaults as the source indexes them: they come with a record that holds them. */
function withRecordsLines(differences: SettingDifference[], dryRun: boolean): string[] {
  if (differences.length === 0) return [];
  const keys = [...new Set(differences.map((difference) => /^schema\.keys\.(.+)\.[^.]+\.[^.]+$/.exec(difference.field)?.[1] ?? difference.field))];
  const named = `${keys.length === 1 ? 'key' : 'keys'} ${keys.map(shown).join(', ')}`;
  return dryRun
    ? [`    collection metadata ${named} not in the target's schema yet: the records this sync sends bring ${keys.length === 1 ? 'it' : 'them'}, indexed by the target's defaults (the source's settings for ${keys.length === 1 ? 'it' : 'them'}); nothing to do`]
    : [`    collection metadata ${named} not in the target's schema yet: no record there holds ${keys.length === 1 ? 'it' : 'them'}; the target indexes ${keys.length === 1 ? 'it' : 'them'} as the source does when one does (only a recreate lists ${keys.length === 1 ? 'it' : 'them'} now)`];
}
