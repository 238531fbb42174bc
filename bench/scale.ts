/**
 * A long run (`--only scale --records 1000000`): import of N records into a fresh server on
 * localhost, then copy (with verify) from that server into another. Reports the pace along the
 * run, as time per 1,000 records over the stretch before N/10, N/2 and N (at 1M: 100k, 500k and
 * 1M; each stretch N/20 records long), and each command's peak RSS. A pace that grows with the
 * count (deep offsets, a growing index, memory held per record) shows as a rising row. A raw
 * loader runs last, into a fresh server, so that the server's own slowing as its collection grows
 * can be told from the product's: each pace is also given as a ratio to the raw loader's at the
 * same mark.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { benchRecords, COLLECTION } from './data.js';
import { rawImportAlong } from './loaders.js';
import { runChild } from './measure.js';
import type { ChildReport } from './child.js';
import { fmt, MB, rate, table, type Target } from './report.js';
import { startServer } from './servers.js';

export interface ScaleContext {
  root: string;
  product: string;
  records: number;
  dim: number;
  statePath: () => string;
  say: (message: string) => void;
  load: () => number;
}

interface ScaleRun {
  seconds: number;
  recordsPerSecond: number;
  peakRssMB: number;
  cpuPer1k: number;
  /** Seconds per 1,000 records over the stretch before each mark. */
  pace: Array<{ at: number; secondsPer1k: number }>;
  /** Largest pace ÷ smallest (1 = flat). */
  spread: number;
  load: [number, number];
}

/** The raw loader's run: no client of ours, so no CPU or memory of ours to report. */
type RawRun = Pick<ScaleRun, 'seconds' | 'recordsPerSecond' | 'pace' | 'spread' | 'load'>;

export interface ScaleResult {
  records: number;
  backupBytes: number;
  copyGzBytes: number;
  import: ScaleRun;
  copy: ScaleRun;
  raw: RawRun;
}

/** Batches of 1,000, 2 in flight: the import's own default, and the best raw setting measured. */
const RAW_BATCH = 1000;
const RAW_CONCURRENCY = 2;

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Seconds when `done` first reached `records`, interpolated between the samples around it. */
function timeAt(samples: Array<[number, number]>, records: number): number {
  let before: [number, number] = [0, 0];
  for (const sample of samples) {
    if (sample[0] >= records) {
      const [d0, t0] = before;
      const [d1, t1] = sample;
      return d1 === d0 ? t1 : t0 + ((records - d0) / (d1 - d0)) * (t1 - t0);
    }
    before = sample;
  }
  return Number.NaN;
}

function paceAlong(samples: Array<[number, number]>, total: number): ScaleRun['pace'] {
  const stretch = Math.max(1, Math.floor(total / 20));
  return [Math.floor(total / 10), Math.floor(total / 2), total].map((at) => {
    const from = Math.max(0, at - stretch);
    return { at, secondsPer1k: round(((timeAt(samples, at) - timeAt(samples, from)) / (at - from)) * 1000, 3) };
  });
}

function rawRun(samples: Array<[number, number]>, seconds: number, total: number, load: [number, number]): RawRun {
  const pace = paceAlong(samples, total);
  const values = pace.map((p) => p.secondsPer1k).filter((v) => Number.isFinite(v) && v > 0);
  return {
    seconds: round(seconds, 1),
    recordsPerSecond: rate(total, seconds),
    pace,
    spread: values.length === pace.length ? round(Math.max(...values) / Math.min(...values), 2) : Number.NaN,
    load,
  };
}

function scaleRun(report: ChildReport, total: number, load: [number, number]): ScaleRun {
  return {
    ...rawRun(report.samples ?? [], report.seconds, total, load),
    recordsPerSecond: rate(report.records, report.seconds),
    peakRssMB: round(report.maxRssBytes / MB, 1),
    cpuPer1k: round((report.workCpuSeconds / Math.max(1, report.records)) * 1000, 3),
  };
}

export async function runScale(ctx: ScaleContext): Promise<ScaleResult> {
  const source = await startServer(ctx.root, 'scale-source');
  try {
    ctx.say(`scale: import of ${fmt(ctx.records)} records into a server on localhost`);
    let load = ctx.load();
    const imported = await runChild('import', { url: source.url, file: ctx.product, statePath: ctx.statePath(), samples: true });
    const importRun = scaleRun(imported, ctx.records, [load, ctx.load()]);
    const backupBytes = (await stat(ctx.product)).size;
    await rm(ctx.product, { force: true });
    ctx.say(`scale: copy (with verify) of the ${fmt(ctx.records)} records into a second server`);
    const target = await startServer(ctx.root, 'scale-target');
    const file = join(ctx.root, `scale-copy-${ctx.records}.jsonl.gz`);
    let copied: { run: ScaleRun; gzBytes: number };
    try {
      load = ctx.load();
      const report = await runChild('copy', { url: target.url, sourceUrl: source.url, file, statePath: ctx.statePath(), collection: COLLECTION, samples: true });
      copied = { run: scaleRun(report, ctx.records, [load, ctx.load()]), gzBytes: (await stat(file)).size };
    } finally {
      await target.stop();
      await rm(file, { force: true });
    }
    return { records: ctx.records, backupBytes, copyGzBytes: copied.gzBytes, import: importRun, copy: copied.run, raw: await rawScale(ctx) };
  } finally {
    await source.stop();
  }
}

/** The raw loader over the same records into a fresh server, with the pace along the way. */
async function rawScale(ctx: ScaleContext): Promise<RawRun> {
  ctx.say(`scale: a raw loader of the ${fmt(ctx.records)} records into a fresh server (${fmt(RAW_BATCH)} × ${RAW_CONCURRENCY})`);
  const server = await startServer(ctx.root, 'scale-raw');
  try {
    const load = ctx.load();
    const { samples, seconds } = await rawImportAlong(server.url, benchRecords(ctx.records, ctx.dim), RAW_BATCH, RAW_CONCURRENCY);
    return rawRun(samples, seconds, ctx.records, [load, ctx.load()]);
  } finally {
    await server.stop();
  }
}

/** A run's pace at each mark over the raw loader's there: 1 = the server's own pace. */
function overRaw(run: RawRun, raw: RawRun): string {
  return run.pace.map((p, index) => `${fmt(p.secondsPer1k / (raw.pace[index]?.secondsPer1k ?? Number.NaN), 2)}×`).join(', ');
}

export function renderScale(s: ScaleResult): string {
  const marks = s.import.pace.map((p) => `s/1k at ${fmt(p.at)}`);
  const rows = [[`scale, ${fmt(s.records)} records`, 'seconds', 'records/s', ...marks, 'spread', 'client CPU ms/1k', 'peak RSS', 'load']];
  const row = (name: string, r: ScaleRun) => [name, fmt(r.seconds, 1), fmt(r.recordsPerSecond), ...r.pace.map((p) => fmt(p.secondsPer1k, 3)), `${r.spread}×`, fmt(r.cpuPer1k * 1000), `${fmt(r.peakRssMB, 1)} MB`, `${r.load[0]}→${r.load[1]}`];
  rows.push(row('import (localhost)', s.import));
  rows.push(row('copy with verify (localhost → localhost)', s.copy));
  rows.push(['raw loader, bodies built as it goes', fmt(s.raw.seconds, 1), fmt(s.raw.recordsPerSecond), ...s.raw.pace.map((p) => fmt(p.secondsPer1k, 3)), `${s.raw.spread}×`, '', '', `${s.raw.load[0]}→${s.raw.load[1]}`]);
  const ratios = `pace over the raw loader's at ${s.raw.pace.map((p) => fmt(p.at)).join(', ')}: import ${overRaw(s.import, s.raw)}; copy ${overRaw(s.copy, s.raw)}`;
  return `${table(rows)}\n${ratios}\nbackup on disk: ${fmt(s.backupBytes / MB, 0)} MB as .jsonl, ${fmt(s.copyGzBytes / MB, 0)} MB as the copy's .jsonl.gz`;
}

export function scaleTargets(s: ScaleResult): Target[] {
  const worst = Math.max(s.import.spread, s.copy.spread);
  const peak = Math.max(s.import.peakRssMB, s.copy.peakRssMB);
  return [
    { name: `time per 1,000 records from ${fmt(s.records / 10)} to ${fmt(s.records)}`, want: 'flat within ±15% (spread ≤ 1.15×)', got: `import ${s.import.spread}×, copy ${s.copy.spread}×`, met: Number.isFinite(worst) ? worst <= 1.15 : null },
    { name: 'the same, over a raw loader at the same depth', want: 'reported (the server slows too)', got: `import ${overRaw(s.import, s.raw)}; copy ${overRaw(s.copy, s.raw)}`, met: null },
    { name: `peak RSS at ${fmt(s.records)} records`, want: '≤ 300 MB', got: `import ${fmt(s.import.peakRssMB, 1)} MB, copy ${fmt(s.copy.peakRssMB, 1)} MB`, met: peak <= 300 },
  ];
}
