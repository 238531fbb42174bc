// node --expose-gc --import tsx bench/source-ids.ts old|new|diff-old|diff-new short|uuid [N] (docs/performance.md, Scale)
// The id phase of `verify --source-url` at N ids, alone, through the real listings (id-list.ts) over
// a stand-in for the two servers that answers JSON pages of 20,000 ids (as a local server is
// listed), one id missing and one extra on the target. old: both sides as arrays of strings
// (listIds), compared through Sets, the source's array kept for the record pass; new: the source
// into a CompactIdSet (listIdSet), the target against it (listIdsAgainst), differencesAgainst().
// Prints the peak RSS and arrayBuffers above the start, sampled at every page, and what stays held
// for the record pass (heap and buffers after a full GC, above the start).
// diff-old|diff-new: sync's comparison (sinks/diff) over the same stand-in, in pages of 1,000 as
// sync reads a server, reads by id answered empty (only the ids are measured). diff-old: both
// sides as arrays (listIds, at once), Sets, the ids on both filtered out and read a chunk at a
// time, as diffCollection did; diff-new: diffCollection itself.
import type { ChromaApi } from '../src/core/chroma/api.js';
import { listIds, listIdSet, listIdsAgainst, recordsByIds } from '../src/core/chroma/id-list.js';
import { diffCollection } from '../src/core/sinks/diff/collection-diff.js';
import { IdsAgainst } from '../src/core/util/ids-against.js';
import { differencesAgainst } from '../src/core/sinks/verifier/id-sets.js';
const [mode, kind, count] = process.argv.slice(2) as ['old' | 'new' | 'diff-old' | 'diff-new', 'short' | 'uuid', string?];
const n = Number(count ?? 1_000_000);
const idOf = (k: number) => (kind === 'short' ? `doc-${String(k).padStart(7, '0')}` : `${(Math.imul(k, 2_654_435_761) >>> 0).toString(16).padStart(8, '0')}-1b2c-4d3e-8f4a-${k.toString(16).padStart(12, '0')}`);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
gc();
const base = process.memoryUsage();
let peak = base.rss;
let peakBuffers = base.arrayBuffers;
const sample = () => {
  const now = process.memoryUsage();
  peak = Math.max(peak, now.rss);
  peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
};
/** A server's answers as the listing reads them: a count, and pages of ids parsed from JSON. */
const side = (target: boolean) =>
  ({
    target: { cloud: false },
    count: async () => n,
    get: async (_collection: string, query: { limit: number; offset: number; ids?: string[] }) => {
      sample();
      if (query.ids) return { ids: [] };
      const ids: string[] = [];
      for (let k = query.offset; k < Math.min(n, query.offset + query.limit); k++) if (!(target && k === 777)) ids.push(idOf(k));
      if (target && query.offset + query.limit >= n) ids.push('stray-id');
      await new Promise((resolve) => setImmediate(resolve));
      return JSON.parse(JSON.stringify({ ids }));
    },
  }) as unknown as ChromaApi;
const options = { call: <T>(work: () => Promise<T>) => work(), ...(mode.startsWith('diff') ? { pageSize: 1_000 } : {}) };
const t0 = performance.now();
let result;
let held: unknown;
if (mode === 'diff-new') {
  const diff = await diffCollection('c', { api: side(false), collectionId: 'c', read: { ...options, pageSize: 1_000 } }, { api: side(true), collectionId: 'c', read: { ...options, pageSize: 1_000 } }, { space: null, progress: sample });
  result = { missing: diff.added.size, missingIds: diff.added.slice(0, 20), extra: diff.removed.size, extraIds: diff.removed.slice(0, 20) };
  held = diff;
} else if (mode === 'diff-old') {
  const [sourceIds, targetIds] = await Promise.all([listIds(side(false), 'c', options), listIds(side(true), 'c', options)]);
  const onTarget = new Set(targetIds);
  const onSource = new Set(sourceIds);
  const common = sourceIds.filter((id) => onTarget.has(id));
  for (let from = 0; from < common.length; from += 1_000) {
    const ids = common.slice(from, from + 1_000);
    for (const api of [side(false), side(true)]) for await (const page of recordsByIds(api, 'c', ids, { ...options, pageSize: 1_000 })) void page;
  }
  sample();
  const added = sourceIds.filter((id) => !onTarget.has(id));
  const removed = targetIds.filter((id) => !onSource.has(id));
  result = { missing: added.length, missingIds: added.slice(0, 20), extra: removed.length, extraIds: removed.slice(0, 20) };
  held = { added, removed };
} else if (mode === 'old') {
  const listed = await listIds(side(false), 'c', options);
  const sourceIds = listed.filter(() => true);
  const targetIds = await listIds(side(true), 'c', options);
  sample();
  const onTarget = new Set(targetIds);
  const atSource = new Set(sourceIds);
  const missing = sourceIds.filter((id) => !onTarget.has(id));
  const extra = targetIds.filter((id) => !atSource.has(id));
  sample();
  result = { missing: missing.length, missingIds: missing.slice(0, 20), extra: extra.length, extraIds: extra.slice(0, 20) };
  held = sourceIds;
} else {
  const sourceIds = await listIdSet(side(false), 'c', options);
  const onTarget = await listIdsAgainst(side(true), 'c', sourceIds, options);
  sample();
  result = differencesAgainst(IdsAgainst.whole(sourceIds), onTarget, undefined, 20);
  held = sourceIds;
}
sample();
gc();
const after = process.memoryUsage();
const kept = after.heapUsed + after.arrayBuffers - (base.heapUsed + base.arrayBuffers);
console.log(JSON.stringify({ mode, kind, n, peakAboveStartMB: +((peak - base.rss) / 2 ** 20).toFixed(1), buffersAboveMB: +((peakBuffers - base.arrayBuffers) / 2 ** 20).toFixed(1), heldForRecordPassMB: +(kept / 2 ** 20).toFixed(1), seconds: +((performance.now() - t0) / 1000).toFixed(1), missing: result.missing, extra: result.extra, named: [...result.missingIds, ...result.extraIds], held: held !== undefined }));
