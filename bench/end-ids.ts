// node --expose-gc --import tsx bench/end-ids.ts old|new short|uuid [N] (docs/performance.md, Scale)
// A copy's end at N ids, alone: the file's compact set is held (as the export's writer holds it);
// then the source and the target are listed from JSON pages of 20,000 ids, interleaved (as they
// are listed side by side), and compared both ways, one id missing and one extra on the target.
// old: each side into a CompactIdSet, the end check's marks, differences(); new: each side
// IdsAgainst the file's set, differencesAgainst(). Prints the peak RSS above the file's set.
import { CompactIdSet } from '../src/core/util/compact-ids.js';
import { IdsAgainst } from '../src/core/util/ids-against.js';
import { differences, differencesAgainst } from '../src/core/sinks/verifier/id-sets.js';
const [mode, kind, count] = process.argv.slice(2) as ['old' | 'new', 'short' | 'uuid', string?];
const n = Number(count ?? 1_000_000);
const idOf = (k: number) => (kind === 'short' ? `doc-${String(k).padStart(7, '0')}` : `${(Math.imul(k, 2_654_435_761) >>> 0).toString(16).padStart(8, '0')}-1b2c-4d3e-8f4a-${k.toString(16).padStart(12, '0')}`);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const inFile = new CompactIdSet(n);
for (let k = 0; k < n; k++) inFile.add(idOf(k));
gc();
const base = process.memoryUsage().rss;
const baseBuffers = process.memoryUsage().arrayBuffers;
let peak = base;
let peakBuffers = baseBuffers;
const sample = () => {
  const now = process.memoryUsage();
  peak = Math.max(peak, now.rss);
  peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
};
const PAGE = 20_000;
const page = (side: 'source' | 'target', from: number) => {
  const ids: string[] = [];
  for (let k = from; k < Math.min(n, from + PAGE); k++) if (!(side === 'target' && k === 777)) ids.push(idOf(k));
  if (side === 'target' && from + PAGE >= n) ids.push('stray-id');
  return JSON.parse(JSON.stringify({ ids })).ids as string[];
};
const t0 = performance.now();
let result;
if (mode === 'old') {
  const source = new CompactIdSet(n);
  const target = new CompactIdSet(n);
  for (let from = 0; from < n; from += PAGE) {
    for (const id of page('source', from)) source.add(id);
    for (const id of page('target', from)) target.add(id);
    sample();
    await new Promise((r) => setImmediate(r));
  }
  const found = new Uint8Array(source.size);
  for (let i = 0; i < inFile.size; i++) { const at = source.indexOfIdIn(inFile, i); if (at >= 0) found[at] = 1; }
  sample();
  result = differences(source, target, undefined, 20);
} else {
  const source = new IdsAgainst(inFile);
  const target = new IdsAgainst(inFile);
  for (let from = 0; from < n; from += PAGE) {
    for (const id of page('source', from)) source.add(id);
    for (const id of page('target', from)) target.add(id);
    sample();
    await new Promise((r) => setImmediate(r));
  }
  for (let i = 0; i < inFile.size; i++) source.has(i);
  sample();
  result = differencesAgainst(source, target, undefined, 20);
}
sample();
console.log(JSON.stringify({ mode, kind, n, peakAboveFileSetMB: +((peak - base) / 2 ** 20).toFixed(1), buffersAboveMB: +((peakBuffers - baseBuffers) / 2 ** 20).toFixed(1), fileSetRssMB: +(base / 2 ** 20).toFixed(1), seconds: +((performance.now() - t0) / 1000).toFixed(1), missing: result.missing, extra: result.extra, named: [...result.missingIds, ...result.extraIds] }));
