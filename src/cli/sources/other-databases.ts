import type { OtherDatabase } from '../../core/chroma/databases.js';
import { plural, shellWord, shown } from '../../core/util/format.js';

/**
 * "Also in tenant default_tenant: database otherdb (1 collection), which this run does not read:
 * add --all-databases to read every database, or run again with --database otherdb." Shaped as a
 * data folder's other tenants are named (core/sources/folder/tenants.ts). `allDatabases`: the
 * command takes --all-databases. `toTarget`: the run has a target, where each database is named
 * one of its own, or its collections would join those of the target's default database.
 */
export function describeOtherDatabases(tenant: string, others: OtherDatabase[], options: { allDatabases: boolean; toTarget: boolean }): string {
  const each = others.map((other) => `${shown(other.name)} (${plural(other.collections, 'collection')})`);
  const runs = others.map((other) => `--database ${shellWord(other.name)}${options.toTarget ? ` --target-database ${shellWord(other.name)}` : ''}`);
  const again = `run again with ${runs.join(', and again with ')}`;
  const how = options.allDatabases ? `add --all-databases to read every database, or ${again}` : again;
  return `Also in tenant ${shown(tenant)}: ${others.length === 1 ? 'database' : 'databases'} ${each.join(', ')}, which this run does not read: ${how}.`;
}
