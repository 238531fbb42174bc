/**
 * What mends one difference between a target collection's settings and its source's, as Chroma
 * lets an existing collection change (its `UpdateCollectionConfiguration`: an embedding function
 * and the HNSW parameters below; `new_metadata` for the collection's own metadata). The space,
 * ef_construction and the schema's index switches are fixed when a collection is created. A
 * schema key the target lacks altogether comes with the first record that holds it, indexed by
 * the target's defaults: nothing to do when those are the source's settings for it.
 */
import type { CollectionInfo } from '../chroma/api.js';
import type { CollectionDifference } from './compare.js';
import { isObject } from './shape.js';

/**
 * 'records': comes with the records sync sends; 'metadata': PUT new_metadata; 'configuration':
 * PUT new_configuration (embedding function, HNSW search parameters); 'recreate': fixed at creation.
 */
export type SettingFix = 'records' | 'metadata' | 'configuration' | 'recreate';

export interface SettingDifference extends CollectionDifference {
  fix: SettingFix;
}

/**
 * HNSW parameters a PUT of `new_configuration.hnsw` sets on an existing collection (Chroma's
 * UpdateHnswConfiguration; a 1.5.9 server takes each and shows it in the configuration and the
 * schema, and refuses ef_construction and space as unknown fields).
 */
const SETTABLE_HNSW: ReadonlySet<string> = new Set(['ef_search', 'max_neighbors', 'num_threads', 'resize_factor', 'sync_threshold', 'batch_size']);

/** A switch of one schema key: `schema.keys.<key>.<value type>.<index>` (a key may hold dots). */
const KEY_SWITCH = /^schema\.keys\.(.+)\.([^.]+)\.([^.]+)$/;

export function settingFix(difference: CollectionDifference, target: CollectionInfo | null): SettingFix {
  const { field } = difference;
  if (field.startsWith('metadata.')) return 'metadata';
  if (field === 'embedding_function' || field.includes('.embedding_function')) return 'configuration';
  const hnsw = /(?:^|\.)hnsw\.([^.]+)$/.exec(field);
  if (hnsw) return SETTABLE_HNSW.has(hnsw[1]!) ? 'configuration' : 'recreate';
  const key = difference.actual === 'absent' ? KEY_SWITCH.exec(field) : null;
  if (key && !key[1]!.startsWith('#') && targetDefault(target, key[2]!, key[3]!) === (difference.expected === 'enabled')) return 'records';
  return 'recreate';
}

/** The target's default for an index of a value type (`schema.defaults.bool.bool_inverted_index.enabled`), when it says. */
function targetDefault(target: CollectionInfo | null, valueType: string, index: string): boolean | undefined {
  const defaults = isObject(target?.schema) ? target.schema.defaults : undefined;
  const types = isObject(defaults) ? defaults[valueType] : undefined;
  const entry = isObject(types) ? types[index] : undefined;
  return isObject(entry) && typeof entry.enabled === 'boolean' ? entry.enabled : undefined;
}

export function withFixes(differences: CollectionDifference[], target: CollectionInfo | null): SettingDifference[] {
  return differences.map((difference) => ({ ...difference, fix: settingFix(difference, target) }));
}
