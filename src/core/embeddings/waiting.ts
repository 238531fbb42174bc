/**
 * Words for a request to an embeddings endpoint that has not answered yet: without them a slow
 * model server (one loading its weights, or busy) looked like a hung command for minutes.
 */
import type { ProgressListener } from '../util/progress.js';
import type { EmbeddingEndpoint } from './endpoint.js';

export function waitingWords(endpoint: EmbeddingEndpoint, progress: ProgressListener): (waitedMs: number) => void {
  const limit = Math.round(endpoint.timeoutMs / 1000);
  return (waitedMs) =>
    progress({
      type: 'phase',
      message: `Still waiting for ${endpoint.postUrl}: ${Math.round(waitedMs / 1000)} s for one answer so far (it has ${limit} s; a model still loading, or a busy server, answers late)`,
    });
}
