/**
 * The target's collections that its source does not have, with their counts. sync --all names
 * them and touches none: deleting a whole collection is the user's own choice, never a prune's
 * (a prune deletes records the source no longer has, inside collections both sides hold).
 */
import type { ChromaApi } from '../../chroma/api.js';

export interface TargetOnly {
  collection: string;
  count: number;
}

export async function collectionsOnlyOnTarget(
  api: ChromaApi,
  /** The target's names of the source's collections. */
  paired: ReadonlySet<string>,
  options: { call: <T>(work: () => Promise<T>) => Promise<T>; signal?: AbortSignal },
): Promise<TargetOnly[]> {
  const { call, signal } = options;
  const all = await call(() => api.allCollections({ signal }));
  const only = all.filter((info) => !paired.has(info.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Promise.all(only.map(async (info) => ({ collection: info.name, count: await call(() => api.count(info.id, { signal })) })));
}
