/**
 * check = collections on the target → a sample of their documents through an embeddings endpoint
 * → compared with the stored vectors. Reads only.
 */
import { ChromaApi } from '../chroma/api.js';
import type { Endpoint } from '../chroma/endpoint.js';
import { retryExplained } from '../chroma/explain.js';
import { checkCollection, type EmbeddingsCheck } from '../embeddings/check.js';
import { probeEndpoint, waitingWords } from '../embeddings/client.js';
import type { EmbeddingEndpoint } from '../embeddings/endpoint.js';
import { selectCollections } from '../embeddings/select.js';
import { ignoreProgress, type ProgressListener } from '../util/progress.js';
import { inQuotes, plural } from '../util/format.js';

export interface EmbeddingsCheckOptions {
  target: Endpoint;
  /** Names on the target; all when absent. */
  collections?: string[];
  endpoint: EmbeddingEndpoint;
  sample: number;
  /** In place of the instruction the collection's EF applied to documents. */
  documentInstruction?: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** Reproduced: the endpoint gives every sampled document the vector it has. */
export function reproduced(check: EmbeddingsCheck): boolean {
  return check.comparison.agreement === 'same' && check.comparison.compared > 0;
}

export async function checkEmbeddings(options: EmbeddingsCheckOptions): Promise<{ checks: EmbeddingsCheck[]; ok: boolean }> {
  const progress = options.onProgress ?? ignoreProgress;
  const api = new ChromaApi(options.target);
  const signal = options.signal;
  const infos = await retryExplained(options.target, () => selectCollections(api, options.collections, signal), { signal });
  const checks: EmbeddingsCheck[] = [];
  const onWait = waitingWords(options.endpoint, progress);
  // The endpoint answers before any collection is read.
  progress({ type: 'phase', message: `Asking ${options.endpoint.postUrl} for one embedding first (model ${options.endpoint.model})` });
  await probeEndpoint(options.endpoint, { signal, onWait, onRetry: ({ attempt, of, delayMs, error }) => progress({ type: 'retry', collection: null, attempt, of, delayMs, reason: error.message }) });
  for (const info of infos) {
    checks.push(
      await checkCollection(api, info, options.endpoint, {
        sample: options.sample,
        documentInstruction: options.documentInstruction,
        signal,
        onWait,
        onRetry: ({ attempt, of, delayMs, error }) => progress({ type: 'retry', collection: info.name, attempt, of, delayMs, reason: error.message }),
        // Said once the collection's count is known: a sample is never more than it holds.
        onSample: (size, count) => progress({ type: 'phase', message: `Checking ${inQuotes(info.name)}: ${plural(size, 'stored document')} of ${count} through ${options.endpoint.postUrl}` }),
      }),
    );
  }
  return { checks, ok: checks.length > 0 && checks.every(reproduced) };
}
