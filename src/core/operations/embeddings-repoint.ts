/**
 * repoint = check each collection against the endpoint, then — only where the endpoint
 * reproduces the stored vectors, and once the user agreed — point its embedding function at the
 * endpoint and read it back. A collection whose vectors the endpoint does not reproduce is left
 * as it is: its stored vectors and the app's query vectors would come from different models.
 */
import { ChromaApi } from '../chroma/api.js';
import type { Endpoint } from '../chroma/endpoint.js';
import { retryExplained } from '../chroma/explain.js';
import { describeEmbeddingFunction } from '../collection/shape.js';
import { checkCollection, type EmbeddingsCheck } from '../embeddings/check.js';
import { embeddingFunctionFor } from '../embeddings/ef-config.js';
import { probeEndpoint, waitingWords } from '../embeddings/client.js';
import type { EmbeddingEndpoint } from '../embeddings/endpoint.js';
import { repointCollection, type RepointResult } from '../embeddings/repoint.js';
import { selectCollections } from '../embeddings/select.js';
import { ignoreProgress, type ProgressListener } from '../util/progress.js';
import { inQuotes, plural } from '../util/format.js';

export interface RepointOptions {
  target: Endpoint;
  collections?: string[];
  endpoint: EmbeddingEndpoint;
  sample: number;
  documentInstruction?: string;
  /** Asked once every check is done, with what would change; false changes nothing. */
  confirm: (changes: Array<{ collection: string; from: string; to: string }>) => Promise<boolean>;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface RepointEntry {
  check: EmbeddingsCheck;
  /** Absent: not changed (the check failed, or the user said no). */
  repoint?: RepointResult;
}

export async function repointEmbeddings(options: RepointOptions): Promise<{ entries: RepointEntry[]; confirmed: boolean; ok: boolean }> {
  const progress = options.onProgress ?? ignoreProgress;
  const api = new ChromaApi(options.target);
  const signal = options.signal;
  const call = <T>(work: () => Promise<T>) => retryExplained(options.target, work, { signal });
  const infos = await call(() => selectCollections(api, options.collections, signal));
  const ef = embeddingFunctionFor(options.endpoint);
  const onWait = waitingWords(options.endpoint, progress);
  // The endpoint answers before any collection is read.
  progress({ type: 'phase', message: `Asking ${options.endpoint.postUrl} for one embedding first (model ${options.endpoint.model})` });
  await probeEndpoint(options.endpoint, { signal, onWait });
  const entries: RepointEntry[] = [];
  for (const info of infos) {
    const onSample = (size: number, count: number) => progress({ type: 'phase', message: `Checking ${inQuotes(info.name)} before changing it: ${plural(size, 'stored document')} of ${count} through ${options.endpoint.postUrl}` });
    entries.push({ check: await checkCollection(api, info, options.endpoint, { sample: options.sample, documentInstruction: options.documentInstruction, signal, onWait, onSample }) });
  }
  const passing = entries.filter((entry) => entry.check.comparison.agreement === 'same' && entry.check.comparison.compared > 0);
  const changes = passing.map((entry) => ({ collection: entry.check.collection, from: describeEmbeddingFunction(entry.check.embeddingFunction), to: describeEmbeddingFunction(ef) }));
  const confirmed = changes.length > 0 && (await options.confirm(changes));
  if (confirmed) {
    for (const entry of passing) {
      const info = infos.find((candidate) => candidate.name === entry.check.collection)!;
      progress({ type: 'phase', message: `Pointing ${inQuotes(info.name)} at ${options.endpoint.base}` });
      entry.repoint = await call(() => repointCollection(api, info, ef, signal));
    }
  }
  return { entries, confirmed, ok: confirmed && entries.every((entry) => entry.repoint?.ok === true) };
}
