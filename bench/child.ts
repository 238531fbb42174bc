/**
 * One chroma-migrate import or export in a process of its own, so its peak RSS is its own.
 * measure.ts bundles this file and runs `node child.mjs import|export|idle '<json>'`. Prints
 * one JSON line.
 */
import { endpoint } from '../src/core/chroma/endpoint.js';
import { exportCollections } from '../src/core/export.js';
import { importBackup } from '../src/core/import.js';
import type { ProgressEvent } from '../src/core/progress.js';

export interface ChildSpec {
  url: string;
  file: string;
  statePath: string;
  collection: string;
  batchSize?: number;
  concurrency?: number;
  pageSize?: number;
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
}

const [mode, json] = process.argv.slice(2);
const spec = JSON.parse(json ?? '{}') as ChildSpec;
const started = performance.now();
let transferStart = 0;
let transferEnd = 0;
const onProgress = (event: ProgressEvent) => {
  if (event.type === 'collection-start') transferStart = performance.now();
  if (event.type === 'batch') transferEnd = performance.now();
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
  const collection = result.collections[0];
  if (!collection || collection.missing !== 0 || collection.count !== collection.expected) {
    throw new Error(`import incomplete: ${JSON.stringify(result.collections)}`);
  }
  records = collection.count;
  batchSize = result.batchSize;
} else if (mode === 'export') {
  // cloud: true holds the export to Chroma Cloud's quotas: 300 per read, 10 reads in flight.
  const result = await exportCollections({
    source: endpoint({ url: spec.url, cloud: true }),
    out: spec.file,
    collections: [spec.collection],
    pageSize: spec.pageSize,
    concurrency: spec.concurrency,
    statePath: spec.statePath,
    onProgress,
  });
  records = result.collections[0]?.count ?? 0;
} else if (mode !== 'idle') {
  throw new Error(`unknown mode ${mode}`);
}
const ended = performance.now();
const report: ChildReport = {
  seconds: (ended - started) / 1000,
  prepareSeconds: transferStart > 0 ? (transferStart - started) / 1000 : 0,
  transferSeconds: transferStart > 0 ? (transferEnd - transferStart) / 1000 : 0,
  records,
  // resourceUsage().maxRSS is in kibibytes, and covers the whole life of the process.
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  batchSize,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
