/**
 * Many small collections, as a Cloud database often holds: the same records in one collection,
 * then split over `collections` collections, copied (with verify) from a source behind +80 ms to
 * a fresh target behind +40 ms, in turn per round; medians. Each collection pays its own fixed
 * steps over the network (list, header, count, create, read back, count, settings, self-queries):
 * what keeping several collections in flight hides.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupWriter } from '../src/core/backup/jsonl/writer.js';
import { benchRecords, COLLECTION, inBatches } from './data.js';
import { runChild } from './measure.js';
import type { ChildReport } from './child.js';
import { fmt, MB, rate, table, type Target } from './report.js';
import { startServer, withServerAcross } from './servers.js';
import { startFaultProxy } from '../test/helpers/fault-proxy.js';

export interface ManyContext {
  root: string;
  records: number;
  dim: number;
  rounds: number;
  sourceLatencyMs: number;
  targetLatencyMs: number;
  collections: number;
  /** copy --parallel; the product's default when absent. */
  parallel?: number;
  statePath: () => string;
  say: (message: string) => void;
  load: () => number;
}

interface ManyRun {
  seconds: number;
  recordsPerSecond: number;
  peakRssMB: number;
  cpuPer1k: number;
}

export interface ManyResult {
  records: number;
  collections: number;
  parallel: number | 'default';
  sourceLatencyMs: number;
  targetLatencyMs: number;
  rounds: Array<{ one: ManyRun; many: ManyRun; load: [number, number] }>;
  medianSeconds: { one: number; many: number };
  /** Median time of the many ÷ of the one (1 = no cost for being split). */
  manyVsOne: number;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] as number;
const MANY_PREFIX = 'many_';

function manyNames(count: number): string[] {
  return Array.from({ length: count }, (_, k) => `${MANY_PREFIX}${String(k).padStart(3, '0')}`);
}

/** One backup holding the records twice: as COLLECTION, and split in order over `count` collections. */
async function writeSeed(path: string, records: number, dim: number, count: number): Promise<void> {
  const writer = await BackupWriter.open(path, { source: { url: 'synthetic', cloud: true } });
  await writer.writeCollectionHeader({ name: COLLECTION, metadata: { purpose: 'benchmark' }, space: 'cosine', count: records, dimension: dim });
  for await (const batch of inBatches(benchRecords(records, dim), 300)) await writer.writeRecords(batch);
  await writer.writeCollectionEnd(COLLECTION, records);
  const names = manyNames(count);
  const each = Math.ceil(records / count);
  let k = 0;
  for await (const part of inBatches(benchRecords(records, dim), each)) {
    const name = names[k++] as string;
    await writer.writeCollectionHeader({ name, metadata: { purpose: 'benchmark' }, space: 'cosine', count: part.length, dimension: dim });
    await writer.writeRecords(part);
    await writer.writeCollectionEnd(name, part.length);
  }
  await writer.finish();
}

function run(report: ChildReport): ManyRun {
  return {
    seconds: round(report.seconds, 2),
    recordsPerSecond: rate(report.records, report.seconds),
    peakRssMB: round(report.maxRssBytes / MB, 1),
    cpuPer1k: round((report.workCpuSeconds / Math.max(1, report.records)) * 1000, 3),
  };
}

export async function runMany(ctx: ManyContext): Promise<ManyResult> {
  const seed = join(ctx.root, `many-seed-${ctx.records}.jsonl`);
  ctx.say(`many: seeding the source with ${fmt(ctx.records)} records in 1 collection and in ${ctx.collections}`);
  await writeSeed(seed, ctx.records, ctx.dim, ctx.collections);
  const source = await startServer(ctx.root, 'many-source');
  const rounds: ManyResult['rounds'] = [];
  try {
    await runChild('import', { url: source.url, file: seed, statePath: ctx.statePath(), batchSize: 1000, concurrency: 2 });
    await rm(seed, { force: true });
    const proxy = await startFaultProxy(source.url, { delayMs: ctx.sourceLatencyMs });
    try {
      const copy = async (label: string, collections: string[]) => {
        const file = join(ctx.root, `${label}.jsonl.gz`);
        try {
          const report = await withServerAcross(ctx.root, label, ctx.targetLatencyMs, (url) =>
            runChild('copy', { url, sourceUrl: proxy.url, file, statePath: ctx.statePath(), collections, parallel: ctx.parallel }),
          );
          if (report.records !== ctx.records) throw new Error(`many: ${label} copied ${report.records} of ${ctx.records} records`);
          return run(report);
        } finally {
          await rm(file, { force: true });
        }
      };
      for (let k = 1; k <= ctx.rounds; k++) {
        const tag = `(${k}/${ctx.rounds})`;
        const loadStart = ctx.load();
        ctx.say(`many: copy of 1 collection of ${fmt(ctx.records)} ${tag}`);
        const one = await copy(`many-one-${k}`, [COLLECTION]);
        ctx.say(`many: copy of ${ctx.collections} collections of ${fmt(Math.ceil(ctx.records / ctx.collections))} ${tag}`);
        const many = await copy(`many-many-${k}`, manyNames(ctx.collections));
        rounds.push({ one, many, load: [loadStart, ctx.load()] });
      }
    } finally {
      await proxy.close();
    }
  } finally {
    await source.stop();
  }
  const medianSeconds = { one: median(rounds.map((r) => r.one.seconds)), many: median(rounds.map((r) => r.many.seconds)) };
  return {
    records: ctx.records,
    collections: ctx.collections,
    parallel: ctx.parallel ?? 'default',
    sourceLatencyMs: ctx.sourceLatencyMs,
    targetLatencyMs: ctx.targetLatencyMs,
    rounds,
    medianSeconds,
    manyVsOne: round(medianSeconds.many / medianSeconds.one, 2),
  };
}

export function renderMany(m: ManyResult): string {
  const rows = [[`copy with verify, +${m.sourceLatencyMs}/+${m.targetLatencyMs} ms, --parallel ${m.parallel}`, 'records', 'seconds', 'records/s', 'client CPU ms/1k', 'peak RSS']];
  m.rounds.forEach((r, k) => {
    const tag = ` #${k + 1} (load ${r.load[0]}→${r.load[1]})`;
    rows.push([`1 collection${tag}`, fmt(m.records), fmt(r.one.seconds, 1), fmt(r.one.recordsPerSecond), fmt(r.one.cpuPer1k * 1000), `${fmt(r.one.peakRssMB)} MB`]);
    rows.push([`${m.collections} collections${tag}`, fmt(m.records), fmt(r.many.seconds, 1), fmt(r.many.recordsPerSecond), fmt(r.many.cpuPer1k * 1000), `${fmt(r.many.peakRssMB)} MB`]);
  });
  return table(rows);
}

export function manyTargets(m: ManyResult): Target[] {
  return [{
    name: `${m.collections} collections vs 1, same ${fmt(m.records)} records (medians)`,
    want: '≤ 1.5×',
    got: `${m.manyVsOne}× (${fmt(m.medianSeconds.many, 1)} s vs ${fmt(m.medianSeconds.one, 1)} s)`,
    met: m.manyVsOne <= 1.5,
  }];
}
