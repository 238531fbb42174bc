/**
 * `embeddings check` for one collection: a spread sample of its stored documents embedded through
 * the endpoint (with the instruction the collection's EF applied to documents), each result
 * compared with the stored vector.
 */
import type { ChromaApi, CollectionInfo } from '../chroma/api.js';
import { factsOf } from '../collection/compare.js';
import type { EmbeddingFunctionConfig } from '../collection/shape.js';
import { appNeeds } from '../collection/app-needs.js';
import { embedTexts, probeBase64, type Base64Support, type EmbedCallOptions } from './client.js';
import { compareVectors, type VectorComparison } from './compare.js';
import type { EmbeddingEndpoint } from './endpoint.js';
import { instructionsOf, withInstruction, type Instructions } from './instructions.js';
import { sampleDocuments } from './sample.js';
import { sparseKeysOf, type SparseKey } from './sparse.js';

export interface EmbeddingsCheck {
  collection: string;
  count: number;
  /** The function the collection names now. */
  embeddingFunction: EmbeddingFunctionConfig | null;
  /** Embeds through Chroma's hosted API (chroma-cloud-qwen / -splade). */
  cloudHosted: boolean;
  /** Documents were embedded with `documents`; the app must prefix queries with `query`. */
  instructions: Instructions;
  comparison: VectorComparison;
  /** Places in the sample where no record had a document (nothing to embed). */
  sampledWithoutDocument: number;
  sparse: SparseKey[];
  /** OpenAI-compatible endpoints: whether they answer base64 as the JS openai client asks. */
  base64: Base64Support | null;
}

/** How many texts go in one request while checking: small enough for any server's limit. */
const CHECK_BATCH = 16;

export async function checkCollection(
  api: ChromaApi,
  info: CollectionInfo,
  endpoint: EmbeddingEndpoint,
  options: EmbedCallOptions & { sample: number; documentInstruction?: string; onSample?: (size: number, count: number) => void },
): Promise<EmbeddingsCheck> {
  const ef = factsOf(info).embeddingFunction;
  const fromConfig = instructionsOf(ef);
  const instructions = options.documentInstruction === undefined ? fromConfig : { ...fromConfig, documents: options.documentInstruction };
  const count = await api.count(info.id, { signal: options.signal });
  options.onSample?.(Math.min(options.sample, count), count);
  const { records, withoutDocument } = await sampleDocuments(api, { id: info.id, count }, options.sample, options.signal);
  const computed: Float32Array[] = [];
  for (let start = 0; start < records.length; start += CHECK_BATCH) {
    const texts = records.slice(start, start + CHECK_BATCH).map((record) => withInstruction(instructions.documents, record.document));
    computed.push(...(await embedTexts(endpoint, texts, { signal: options.signal, onRetry: options.onRetry, onWait: options.onWait })));
  }
  const comparison = compareVectors(records.map((record, i) => ({ id: record.id, stored: record.embedding, computed: computed[i] as Float32Array })));
  const first = records[0];
  const base64 = endpoint.shape === 'openai' && first && computed[0] ? await probeBase64(endpoint, withInstruction(instructions.documents, first.document), computed[0], options.signal) : null;
  return {
    collection: info.name,
    count,
    embeddingFunction: ef,
    cloudHosted: appNeeds(ef)?.cloudHosted === true,
    instructions,
    comparison,
    sampledWithoutDocument: withoutDocument,
    sparse: sparseKeysOf(info),
    base64,
  };
}
