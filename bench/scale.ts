/**
 * A long run (`--only scale --records 1000000`): import of N records into a fresh server on
 * localhost, then copy (with verify) from that server into another. Reports the pace along the
 * run, as time per 1,000 records over the stretch before N/10, N/2 and N (at 1M: 100k, 500k and
 * 1M; each stretch N/20 records long), and each command's peak RSS. A pace that grows with the
 * count (deep offsets, a growing index, memory held per record) shows as a rising row.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { COLLECTION } from './data.js';
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

export interface ScaleResult {
  records: number;
  backupBytes: number;
  copyGzBytes: number;
  import: ScaleRun;
  copy: ScaleRun;
}

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

function scaleRun(report: ChildReport, total: number, load: [number, number]): ScaleRun {
  const pace = paceAlong(report.samples ?? [], total);
  const values = pace.map((p) => p.secondsPer1k).filter((v) => Number.isFinite(v) && v > 0);
  return {
    seconds: round(report.seconds, 1),
    recordsPerSecond: rate(report.records, report.seconds),
    peakRssMB: round(report.maxRssBytes / MB, 1),
    cpuPer1k: round((report.workCpuSeconds / Math.max(1, report.records)) * 1000, 3),
    pace,
    spread: values.length === pace.length ? round(Math.max(...values) / Math.min(...values), 2) : Number.NaN,
    load,
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
    try {
      load = ctx.load();
      const copied = await runChild('copy', { url: target.url, sourceUrl: source.url, file, statePath: ctx.statePath(), collection: COLLECTION, samples: true });
      const copyRun = scaleRun(copied, ctx.records, [load, ctx.load()]);
      const copyGzBytes = (await stat(file)).size;
      return { records: ctx.records, backupBytes, copyGzBytes, import: importRun, copy: copyRun };
    } finally {
      await target.stop();
      await rm(file, { force: true });
    }
  } finally {
    await source.stop();
  }
}

export function renderScale(s: ScaleResult): string {
  const marks = s.import.pace.map((p) => `s/1k at ${fmt(p.at)}`);
  const rows = [[`scale, ${fmt(s.records)} records`, 'seconds', 'records/s', ...marks, 'spread', 'client CPU ms/1k', 'peak RSS', 'load']];
  const row = (name: string, r: ScaleRun) => [name, fmt(r.seconds, 1), fmt(r.recordsPerSecond), ...r.pace.map((p) => fmt(p.secondsPer1k, 3)), `${r.spread}×`, fmt(r.cpuPer1k * 1000), `${fmt(r.peakRssMB, 1)} MB`, `${r.load[0]}→${r.load[1]}`];
  rows.push(row('import (localhost)', s.import));
  rows.push(row('copy with verify (localhost → localhost)', s.copy));
  return `${table(rows)}\nbackup on disk: ${fmt(s.backupBytes / MB, 0)} MB as .jsonl, ${fmt(s.copyGzBytes / MB, 0)} MB as the copy's .jsonl.gz`;
}

export function scaleTargets(s: ScaleResult): Target[] {
  const worst = Math.max(s.import.spread, s.copy.spread);
  const peak = Math.max(s.import.peakRssMB, s.copy.peakRssMB);
  return [
    { name: `time per 1,000 records from ${fmt(s.records / 10)} to ${fmt(s.records)}`, want: 'flat within ±15% (spread ≤ 1.15×)', got: `import ${s.import.spread}×, copy ${s.copy.spread}×`, met: Number.isFinite(worst) ? worst <= 1.15 : null },
    { name: `peak RSS at ${fmt(s.records)} records`, want: '≤ 300 MB', got: `import ${fmt(s.import.peakRssMB, 1)} MB, copy ${fmt(s.copy.peakRssMB, 1)} MB`, met: peak <= 300 },
  ];
}
