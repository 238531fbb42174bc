/**
 * Does an endpoint reproduce a collection's stored vectors? Cosine similarity of each sampled
 * document's stored vector with the endpoint's, summarised as min and median. Cosine, not
 * equality: the same model served elsewhere (another runtime, GPU, batch size) differs in the
 * last bits, while another model — or the right model fed other text — lands far away.
 */
import type { Embedding } from '../model/record.js';

/**
 * Reproduced: every sampled document within 0.999. The same weights in another runtime or
 * precision stay above it; a query then finds the same neighbours. Below it, stored vectors
 * and query vectors come from different functions and searches rank differently.
 */
const SAME_MIN_COSINE = 0.999;
/**
 * Above this median, but not reproduced: most likely the same model with another instruction,
 * normalisation or quantisation (e.g. a Q4 Ollama build), not another model.
 */
const CLOSE_MEDIAN_COSINE = 0.9;

type Agreement = 'same' | 'close' | 'different' | 'dimension';

export interface VectorComparison {
  agreement: Agreement;
  compared: number;
  storedDimension: number | null;
  endpointDimension: number | null;
  min: number | null;
  median: number | null;
  /** The sampled ids with the lowest cosine, worst first (at most 5). */
  worst: Array<{ id: string; cosine: number }>;
}

export function cosine(a: Embedding, b: Embedding): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function compareVectors(pairs: Array<{ id: string; stored: Embedding; computed: Embedding }>): VectorComparison {
  const storedDimension = pairs[0]?.stored.length ?? null;
  const endpointDimension = pairs[0]?.computed.length ?? null;
  const base = { compared: pairs.length, storedDimension, endpointDimension };
  if (pairs.some((pair) => pair.stored.length !== pair.computed.length)) {
    return { ...base, agreement: 'dimension', min: null, median: null, worst: [] };
  }
  const scored = pairs.map((pair) => ({ id: pair.id, cosine: cosine(pair.stored, pair.computed) })).sort((a, b) => a.cosine - b.cosine);
  if (scored.length === 0) return { ...base, agreement: 'different', min: null, median: null, worst: [] };
  const values = scored.map((entry) => entry.cosine);
  const min = values[0] as number;
  const mid = median(values);
  const agreement: Agreement = min >= SAME_MIN_COSINE ? 'same' : mid >= CLOSE_MEDIAN_COSINE ? 'close' : 'different';
  return { ...base, agreement, min, median: mid, worst: scored.slice(0, 5) };
}
