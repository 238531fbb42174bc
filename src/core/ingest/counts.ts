import type { ChromaApi } from '../chroma/api.js';

export interface CollectionCount {
  collection: string;
  /** null: the collection did not exist (before) or no longer exists / could not be counted (after). */
  before: number | null;
  after: number | null;
  /** after − before (a new collection counts from 0); null when after is unknown. */
  change: number | null;
}

/** Records per collection: every collection on the server, or only the named ones (absent ones are left out). */
export async function countCollections(api: ChromaApi, names: string[] | undefined, signal?: AbortSignal): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (names && names.length > 0) {
    for (const name of names) {
      const info = await api.findCollection(name, { signal });
      if (info) counts.set(name, await api.count(info.id, { signal }));
    }
    return counts;
  }
  for (const info of await api.allCollections({ signal })) counts.set(info.name, await api.count(info.id, { signal }));
  return counts;
}

/** Before and after side by side, in the order the collections were first seen (named ones first). */
export function pairCounts(names: string[] | undefined, before: Map<string, number>, after: Map<string, number> | null): CollectionCount[] {
  const order = [...new Set([...(names ?? []), ...before.keys(), ...(after?.keys() ?? [])])];
  return order.map((collection) => {
    const was = before.get(collection) ?? null;
    const now = after?.get(collection) ?? null;
    return { collection, before: was, after: now, change: after ? (now ?? 0) - (was ?? 0) : null };
  });
}

import { count as number } from '../util/format.js';

/** "cro_audit_issues: 1,177 → 2,054 (+877)", the guide's way of saying what an ingestion did. */
export function describeCount(count: CollectionCount, afterKnown = true): string {
  const before = count.before === null ? 'new' : number(count.before);
  if (!afterKnown) return `${count.collection}: ${before} → (not counted)`;
  if (count.after === null) return `${count.collection}: ${before} → gone`;
  const change = count.after - (count.before ?? 0);
  return `${count.collection}: ${before} → ${number(count.after)} (${change >= 0 ? '+' : '-'}${number(Math.abs(change))})`;
}

/** What an ingestion changed, each collection by name ("docs: 2 → 5 (+3); notes: new → 4 (+4)"); null when nothing did. */
export function describeChanges(counts: CollectionCount[], countedAfter: boolean): string | null {
  const changed = counts.filter((entry) => !countedAfter || entry.change !== 0);
  return changed.length === 0 ? null : changed.map((entry) => describeCount(entry, countedAfter)).join('; ');
}
