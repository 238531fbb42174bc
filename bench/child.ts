/**
 * One chroma-migrate import or export in a process of its own, so its peak RSS is its own.
 * measure.ts bundles this file and runs `node child.mjs import|export|copy|verify|idle '<json>'`. Prints
 * one JSON line.
 */
import { createWriteStream } from 'node:fs';
import { endpoint } from '../src/core/chroma/endpoint.js';
import { copyCollections } from '../src/core/operations/copy.js';
import { exportCollections } from '../src/core/operations/export.js';
import { importBackup } from '../src/core/operations/import.js';
import { verifyBackup } from '../src/core/operations/verify.js';
import type { ProgressEvent } from '../src/core/util/progress.js';
import { startMemoryTrace } from './memory-trace.js';

export interface ChildSpec {
  url: string;
  file: string;
  statePath: string;
  collection: string;
  batchSize?: number;
  concurrency?: number;
  pageSize?: number;
  /** copy: where it reads from (`url` is where it writes). */
  sourceUrl?: string;
  /** copy: skip the record-by-record verify at the end. */
  skipVerify?: boolean;
  /** copy, export: these collections instead of `collection` alone. */
  collections?: string[];
  /** copy: collections in flight (--parallel). */
  parallel?: number;
  /** Report (records done, seconds) at each batch: the pace along a long run. */
  samples?: boolean;
}

export interface ChildReport {
  seconds: number;
  /** Import: validating the file (and connecting) before the first batch. */
  prepareSeconds: number;
  /** From the first batch to the last committed one. */
  transferSeconds: number;
  records: number;
  maxRssBytes: number;
  batchSize?: number;
  /** copy: the verify at the end (its part of `seconds`). */
  verifySeconds?: number;
  /** CPU (user + system) the child used, start-up included: the client's share of a shared machine. */
  cpuSeconds: number;
  /** The same from the start of the work (modules loaded): what the command itself costs per record. */
  workCpuSeconds: number;
  /** With spec.samples: [records done, seconds since start] at each batch. */
  samples?: Array<[number, number]>;
}

const [mode, json] = process.argv.slice(2);
const spec = JSON.parse(json ?? '{}') as ChildSpec;
const started = performance.now();
const cpuAtStart = process.cpuUsage();
const samples: Array<[number, number]> | undefined = spec.samples ? [] : undefined;
const trace = startMemoryTrace(process.env.BENCH_MEMORY_TRACE, started);
let transferStart = 0;
let transferEnd = 0;
let verifyStart = 0;
// BENCH_EVENTS=FILE: every progress event with its time, one JSON line each (where a run's time goes).
const events = process.env.BENCH_EVENTS ? createWriteStream(process.env.BENCH_EVENTS, { flags: 'a' }) : null;
const onProgress = (event: ProgressEvent) => {
  events?.write(`${JSON.stringify({ ms: Math.round(performance.now() - started), at: Date.now(), ...event })}\n`);
  if (samples && event.type === 'batch') samples.push([event.done, Math.round(performance.now() - started) / 1000]);
  if (verifyStart > 0) return;
  // A copy's verify begins by checking the finished file.
  // (Not the end check that lists the source while the last records land: that is the copy's.)
  if (mode === 'copy' && event.type === 'phase' && ((event.message.startsWith('Checking ') && !event.message.endsWith('land')) || event.message.startsWith('Verifying'))) verifyStart = performance.now();
  else if (event.type === 'collection-start' && transferStart === 0) transferStart = performance.now();
  else if (event.type === 'batch') transferEnd = performance.now();
};

let records = 0;
let batchSize: number | undefined;
if (mode === 'import') {
  const result = await importBackup({
    input: spec.file,
    target: endpoint({ url: spec.url }),
    ifExists: 'abort',
    statePath: spec.statePath,
    batchSize: spec.batchSize,
    concurrency: spec.concurrency,
    onProgress,
  });
  if (result.collections.length === 0 || result.collections.some((collection) => collection.missing !== 0 || collection.count !== collection.expected)) {
    throw new Error(`import incomplete: ${JSON.stringify(result.collections)}`);
  }
  records = result.collections.reduce((sum, collection) => sum + collection.count, 0);
  batchSize = result.batchSize;
} else if (mode === 'export') {
  // cloud: true holds the export to Chroma Cloud's quotas: 300 per read, 10 reads in flight.
  const result = await exportCollections({
    source: endpoint({ url: spec.url, cloud: true }),
    out: spec.file,
    collections: spec.collections ?? [spec.collection],
    pageSize: spec.pageSize,
    concurrency: spec.concurrency,
    statePath: spec.statePath,
    onProgress,
  });
  records = result.collections.reduce((sum, collection) => sum + collection.count, 0);
} else if (mode === 'copy') {
  // cloud: true holds the reads to Chroma Cloud's quotas, as a copy from Cloud runs.
  const result = await copyCollections({
    source: endpoint({ url: spec.sourceUrl as string, cloud: true }),
    target: endpoint({ url: spec.url }),
    out: spec.file,
    collections: spec.collections ?? [spec.collection],
    ifExists: 'abort',
    batchSize: spec.batchSize,
    writeConcurrency: spec.concurrency,
    pageSize: spec.pageSize,
    verify: spec.skipVerify !== true,
    parallel: spec.parallel,
    statePath: spec.statePath,
    onProgress,
  });
  if (!result.ok) throw new Error(`copy incomplete: ${JSON.stringify(result.collections)}`);
  records = result.exported.reduce((sum, collection) => sum + collection.count, 0);
  batchSize = result.batchSize;
} else if (mode === 'verify') {
  // The backup against the collection an import of it made: verify reads the file with the same readers.
  const result = await verifyBackup({ input: spec.file, target: endpoint({ url: spec.url }), statePath: spec.statePath, onProgress });
  const collection = result.collections[0];
  if (!result.ok || !collection) throw new Error(`verify failed: ${JSON.stringify(result.collections)}`);
  records = collection.compared;
} else if (mode !== 'idle') {
  throw new Error(`unknown mode ${mode}`);
}
const ended = performance.now();
trace?.stop();
function cpuSeconds(since?: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
}
const report: ChildReport = {
  seconds: (ended - started) / 1000,
  prepareSeconds: transferStart > 0 ? (transferStart - started) / 1000 : 0,
  transferSeconds: transferStart > 0 ? (transferEnd - transferStart) / 1000 : 0,
  records,
  // resourceUsage().maxRSS is in kibibytes, and covers the whole life of the process.
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  batchSize,
  verifySeconds: verifyStart > 0 ? (ended - verifyStart) / 1000 : undefined,
  cpuSeconds: cpuSeconds(),
  workCpuSeconds: cpuSeconds(cpuAtStart),
  samples,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
