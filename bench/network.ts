/**
 * Source → target across a modelled network: proxies add a round trip to each request (the
 * source: Chroma Cloud; the target: Railway), and every method moves the same records from a
 * seeded source to a fresh target, in turn per round; medians. Two models of the machine:
 * - shared: every process on both cores (the target's ceiling competes with nothing, the copy
 *   with the source server, the proxies and itself);
 * - pinned: the target server on CPU 1, everything else (this process and its proxies, the
 *   source server, the bench child) on CPU 0, the ceiling measured the same way: a target on a
 *   machine of its own, where only the copy's own overhead can keep it from the ceiling.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { allCpus, pin } from './affinity.js';
import { benchRecords, COLLECTION } from './data.js';
import { chromaCopyMove, guideMove, rawImport, type LoadTiming } from './loaders.js';
import { runChild } from './measure.js';
import type { ChildReport } from './child.js';
import { fmt, MB, rate, table, type Target } from './report.js';
import { startServer, withServer, withServerAcross, type ServerPlacement } from './servers.js';
import { startFaultProxy } from '../test/helpers/fault-proxy.js';

interface Timing {
  seconds: number;
  recordsPerSecond: number;
}

/** Client CPU (user + system, the bench child's process.cpuUsage() from the start of its work) per 1,000 records, in seconds. */
type CpuPer1k = { cpuPer1k: number };

interface NetworkRound {
  guide?: Timing;
  chromaCopy?: Timing;
  exportImport: Timing & { exportSeconds: number; importSeconds: number; peakRssMB: number; exportCpuPer1k: number; importCpuPer1k: number };
  copy: Timing & CpuPer1k & { verifySeconds: number; peakRssMB: number };
  copyWithoutVerify: Timing & CpuPer1k;
  ceiling: Timing & { batch: number; concurrency: number };
  /** Load average (1 min) when the round began and ended. */
  load: [number, number];
}

export interface NetworkResult {
  pinned: boolean;
  records: number;
  sourceLatencyMs: number;
  targetLatencyMs: number;
  rounds: NetworkRound[];
  medians: { guide?: number; chromaCopy?: number; exportImport: number; copy: number; copyWithoutVerify: number; ceiling: number };
  cpuPer1kMedians: { copy: number; copyWithoutVerify: number; export: number; import: number };
  copyVsGuide?: number;
  copyVsChromaCopy?: number;
  copyVsCeiling: number;
  copyWithoutVerifyVsCeiling: number;
  /** Each round's own ratios: a round's runs share the machine's state, so they swing less than the medians of a whole run. */
  perRound: { copyVsCeiling: number[]; copyVsGuide: number[] };
  exportImportVsGuide?: number;
}

export interface NetworkContext {
  root: string;
  /** The records as our backup file, to seed the source. */
  product: string;
  records: number;
  dim: number;
  rounds: number;
  sourceLatencyMs: number;
  targetLatencyMs: number;
  importBatch?: number;
  importConcurrency?: number;
  exportConcurrency?: number;
  statePath: () => string;
  say: (message: string) => void;
  load: () => number;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] as number;
const timing = (t: LoadTiming): Timing => ({ seconds: round(t.seconds, 2), recordsPerSecond: rate(t.records, t.seconds) });
const cpuPer1k = (report: ChildReport) => round((report.workCpuSeconds / Math.max(1, report.records)) * 1000, 3);

/**
 * The network section; `pinned` runs the pinned model, without the guide's and `chroma copy`'s
 * methods (the shared model compares against those).
 */
export async function runNetwork(ctx: NetworkContext, pinned: boolean): Promise<NetworkResult> {
  const name = pinned ? 'pinned' : 'network';
  // Pinned: this process first, so that everything it starts from now on is on CPU 0 too.
  if (pinned) await pin(process.pid, '0');
  const target: ServerPlacement = pinned ? { cpu: '1' } : {};
  try {
    ctx.say(`${name}: seeding the source; +${ctx.sourceLatencyMs} ms per request to it, +${ctx.targetLatencyMs} ms to the target`);
    const source = await startServer(ctx.root, `${name}-source`);
    const rounds: NetworkRound[] = [];
    try {
      const seeded = await runChild('import', { url: source.url, file: ctx.product, statePath: ctx.statePath(), batchSize: 1000, concurrency: 2 });
      if (seeded.records !== ctx.records) throw new Error(`seeding left ${seeded.records} records`);
      const sourceProxy = await startFaultProxy(source.url, { delayMs: ctx.sourceLatencyMs });
      try {
        for (let k = 1; k <= ctx.rounds; k++) rounds.push(await networkRound(ctx, sourceProxy.url, `${name}-${k}`, `(${k}/${ctx.rounds})`, pinned, target));
      } finally {
        await sourceProxy.close();
      }
    } finally {
      await source.stop();
    }
    return summarise(ctx, pinned, rounds);
  } finally {
    if (pinned) await pin(process.pid, allCpus());
  }
}

async function networkRound(ctx: NetworkContext, sourceUrl: string, label: string, tag: string, pinned: boolean, placement: ServerPlacement): Promise<NetworkRound> {
  const n = ctx.records;
  const loadStart = ctx.load();
  const say = (message: string) => ctx.say(`${pinned ? 'pinned' : 'network'}: ${message} ${tag}`);
  const toTarget = <T>(what: string, work: (url: string) => Promise<T>) => withServerAcross(ctx.root, `${label}-${what}`, ctx.targetLatencyMs, work, placement);
  let guide: Timing | undefined;
  let chromaCopy: Timing | undefined;
  if (!pinned) {
    say('the guide\'s method, sequential get of 300 then sequential add of 100');
    guide = timing(await toTarget('guide', (url) => guideMove(sourceUrl, url, n)));
    say('the chroma copy method, batches of 100, 5 in flight, add');
    chromaCopy = timing(await toTarget('chroma-copy', (url) => chromaCopyMove(sourceUrl, url, n)));
  }
  say('chroma-migrate export, then import');
  const file = join(ctx.root, `${label}-export.jsonl.gz`);
  const exported = await runChild('export', { url: sourceUrl, file, statePath: ctx.statePath(), collection: COLLECTION, pageSize: 300, concurrency: ctx.exportConcurrency });
  const imported = await toTarget('import', (url) => runChild('import', { url, file, statePath: ctx.statePath(), batchSize: ctx.importBatch, concurrency: ctx.importConcurrency }));
  await rm(file, { force: true });
  const copyRun = (skipVerify: boolean) => {
    const copyFile = join(ctx.root, `${label}-copy.jsonl.gz`);
    return toTarget(skipVerify ? 'copy-bare' : 'copy', (url) =>
      runChild('copy', { url, sourceUrl, file: copyFile, statePath: ctx.statePath(), collection: COLLECTION, batchSize: ctx.importBatch, concurrency: ctx.importConcurrency, skipVerify }),
    ).finally(() => rm(copyFile, { force: true }));
  };
  say('chroma-migrate copy');
  const copied = await copyRun(false);
  say('chroma-migrate copy --skip-verify');
  const bare = await copyRun(true);
  say('the target\'s raw ceiling on localhost, 1,000 × 2 and × 4, bodies built first');
  const records = [...benchRecords(n, ctx.dim)];
  const ceilings = [];
  for (const concurrency of [2, 4]) {
    ceilings.push({ batch: 1000, concurrency, ...timing(await withServer(ctx.root, `${label}-ceiling-${concurrency}`, (s) => rawImport(s.url, records, 1000, concurrency), placement)) });
  }
  const ceiling = ceilings.reduce((a, b) => (b.recordsPerSecond > a.recordsPerSecond ? b : a));
  const sum = exported.seconds + imported.seconds;
  return {
    guide,
    chromaCopy,
    exportImport: {
      seconds: round(sum, 2),
      recordsPerSecond: rate(n, sum),
      exportSeconds: round(exported.seconds, 2),
      importSeconds: round(imported.seconds, 2),
      peakRssMB: round(Math.max(exported.maxRssBytes, imported.maxRssBytes) / MB, 1),
      exportCpuPer1k: cpuPer1k(exported),
      importCpuPer1k: cpuPer1k(imported),
    },
    copy: { seconds: round(copied.seconds, 2), recordsPerSecond: rate(n, copied.seconds), verifySeconds: round(copied.verifySeconds ?? 0, 2), peakRssMB: round(copied.maxRssBytes / MB, 1), cpuPer1k: cpuPer1k(copied) },
    copyWithoutVerify: { seconds: round(bare.seconds, 2), recordsPerSecond: rate(n, bare.seconds), cpuPer1k: cpuPer1k(bare) },
    ceiling,
    load: [loadStart, ctx.load()],
  };
}

function summarise(ctx: NetworkContext, pinned: boolean, rounds: NetworkRound[]): NetworkResult {
  const rateOf = (pick: (run: NetworkRound) => Timing | undefined) => {
    const values = rounds.map(pick).filter((t): t is Timing => t !== undefined).map((t) => t.recordsPerSecond);
    return values.length > 0 ? median(values) : undefined;
  };
  const medians = {
    guide: rateOf((run) => run.guide),
    chromaCopy: rateOf((run) => run.chromaCopy),
    exportImport: rateOf((run) => run.exportImport) as number,
    copy: rateOf((run) => run.copy) as number,
    copyWithoutVerify: rateOf((run) => run.copyWithoutVerify) as number,
    ceiling: rateOf((run) => run.ceiling) as number,
  };
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : round(a / b, 2));
  return {
    pinned,
    records: ctx.records,
    sourceLatencyMs: ctx.sourceLatencyMs,
    targetLatencyMs: ctx.targetLatencyMs,
    rounds,
    medians,
    cpuPer1kMedians: {
      copy: median(rounds.map((run) => run.copy.cpuPer1k)),
      copyWithoutVerify: median(rounds.map((run) => run.copyWithoutVerify.cpuPer1k)),
      export: median(rounds.map((run) => run.exportImport.exportCpuPer1k)),
      import: median(rounds.map((run) => run.exportImport.importCpuPer1k)),
    },
    copyVsGuide: ratio(medians.copy, medians.guide),
    copyVsChromaCopy: ratio(medians.copy, medians.chromaCopy),
    copyVsCeiling: ratio(medians.copy, medians.ceiling) as number,
    copyWithoutVerifyVsCeiling: ratio(medians.copyWithoutVerify, medians.ceiling) as number,
    exportImportVsGuide: ratio(medians.exportImport, medians.guide),
    perRound: {
      copyVsCeiling: rounds.map((run) => ratio(run.copy.recordsPerSecond, run.ceiling.recordsPerSecond) as number),
      copyVsGuide: rounds.flatMap((run) => (run.guide ? [ratio(run.copy.recordsPerSecond, run.guide.recordsPerSecond) as number] : [])),
    },
  };
}

export function renderNetwork(net: NetworkResult): string {
  const base = net.medians.guide;
  const vsGuide = (value: number) => (base === undefined ? '' : `${round(value / base, 2)}×`);
  const ms = (seconds: number) => fmt(seconds * 1000, 0);
  const title = `${net.pinned ? 'PINNED (target on CPU 1, the rest on CPU 0): ' : ''}source → target, +${net.sourceLatencyMs} ms / +${net.targetLatencyMs} ms per request`;
  const rows = [[title, 'records', 'seconds', 'records/s', 'vs guide', 'client CPU ms/1k', 'peak RSS']];
  net.rounds.forEach((run, k) => {
    const tag = net.rounds.length > 1 ? ` #${k + 1} (load ${run.load[0]}→${run.load[1]})` : ` (load ${run.load[0]}→${run.load[1]})`;
    const row = (label: string, t: Timing, cpu = '', rss = '') => rows.push([`${label}${tag}`, fmt(net.records), fmt(t.seconds, 1), fmt(t.recordsPerSecond), vsGuide(t.recordsPerSecond), cpu, rss]);
    if (run.guide) row('the guide: sequential get 300, then add 100', run.guide);
    if (run.chromaCopy) row('chroma copy method: 100 × 5 in flight, add', run.chromaCopy);
    const ei = run.exportImport;
    row(`chroma-migrate export (${fmt(ei.exportSeconds, 1)} s) + import`, ei, `${ms(ei.exportCpuPer1k)} + ${ms(ei.importCpuPer1k)}`, `${fmt(ei.peakRssMB)} MB`);
    row(`chroma-migrate copy (verify ${fmt(run.copy.verifySeconds, 1)} s)`, run.copy, ms(run.copy.cpuPer1k), `${fmt(run.copy.peakRssMB)} MB`);
    row('chroma-migrate copy --skip-verify', run.copyWithoutVerify, ms(run.copyWithoutVerify.cpuPer1k));
    row(`raw ceiling, localhost, ${run.ceiling.batch} × ${run.ceiling.concurrency}`, run.ceiling);
  });
  return table(rows);
}

/** Each round's ratio after the medians', where there is more than one round. */
const rounds = (ratios: number[]) => (ratios.length > 1 ? `; by round ${ratios.map((r) => `${r}×`).join(', ')}` : '');

export function networkTargets(net: NetworkResult): Target[] {
  const over = `+${net.sourceLatencyMs}/${net.targetLatencyMs} ms`;
  const cpu = net.cpuPer1kMedians;
  const list: Target[] = [];
  if (net.pinned) {
    list.push({ name: `PINNED copy (${over}) vs the pinned raw ceiling`, want: '≥ 0.9×', got: `${net.copyVsCeiling}× with verify, ${net.copyWithoutVerifyVsCeiling}× without${rounds(net.perRound.copyVsCeiling)}`, met: net.copyVsCeiling >= 0.9 });
  } else {
    list.push({ name: `copy vs the guide's method (${over}, medians)`, want: '≥ 2.5×', got: `${net.copyVsGuide}× (export+import ${net.exportImportVsGuide}×)${rounds(net.perRound.copyVsGuide)}`, met: (net.copyVsGuide ?? 0) >= 2.5 });
    list.push({ name: `copy vs the chroma copy method (${over})`, want: '≥ 1.5×', got: `${net.copyVsChromaCopy}×`, met: (net.copyVsChromaCopy ?? 0) >= 1.5 });
    list.push({ name: `copy (${over}) vs raw ceiling on localhost`, want: '≥ 0.8×', got: `${net.copyVsCeiling}× with verify, ${net.copyWithoutVerifyVsCeiling}× without${rounds(net.perRound.copyVsCeiling)}`, met: net.copyVsCeiling >= 0.8 });
  }
  list.push({
    name: `${net.pinned ? 'PINNED ' : ''}client CPU per 1,000 records (medians)`,
    want: 'copy with verify ≤ 120 ms (half of ~240)',
    got: `copy ${fmt(cpu.copy * 1000)} ms (${fmt(cpu.copyWithoutVerify * 1000)} without verify), export ${fmt(cpu.export * 1000)} ms, import ${fmt(cpu.import * 1000)} ms`,
    met: cpu.copy <= 0.12,
  });
  return list;
}
