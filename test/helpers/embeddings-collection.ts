import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord } from '../../src/core/model/record.js';
import { modelVector } from './embeddings-server.js';

/** A chroma-cloud-qwen EF exactly as Chroma Cloud stores it (the default nl_to_code instructions). */
export const QWEN_EF = {
  type: 'known',
  name: 'chroma-cloud-qwen',
  config: {
    api_key_env_var: 'CHROMA_API_KEY',
    instructions: { nl_to_code: { documents: '', query: "Given a question about coding, retrieval code or passage that can solve user's question" } },
    model: 'Qwen/Qwen3-Embedding-0.6B',
    task: 'nl_to_code',
  },
};

/** Record i: a document (none every `undocumentedEvery`-th), typed metadata, a uri now and then. */
export function qwenRecords(n: number, seed: number, options: { dim?: number; undocumentedEvery?: number; prefix?: string } = {}): BackupRecord[] {
  const prefix = options.prefix ?? 'rec';
  return Array.from({ length: n }, (_, i) => {
    const undocumented = options.undocumentedEvery !== undefined && i % options.undocumentedEvery === options.undocumentedEvery - 1;
    const document = undocumented ? null : `def f${i}(xs): return sorted(xs)[${i % 7}]  # snippet ${i} — naïve`;
    return {
      id: `${prefix}-${String(i).padStart(5, '0')}`,
      document,
      metadata: { lang: i % 2 === 0 ? 'python' : 'js', line: i, score: i / 4 },
      // Records without a document keep a vector of their own (from another text).
      embedding: modelVector(seed, document ?? `image ${i}`, options.dim ?? 32),
      uri: i % 10 === 0 ? `s3://code/${i}` : null,
    };
  });
}

/** A collection like one moved off Chroma Cloud: a chroma-cloud-qwen EF, vectors from `seed`'s function. */
export async function seedQwenCollection(url: string, name: string, records: BackupRecord[]): Promise<{ id: string }> {
  const api = new ChromaApi(endpoint({ url }));
  const created = await api.createCollection({ name, metadata: { team: 'search' }, configuration: { hnsw: { space: 'cosine' }, embedding_function: QWEN_EF } });
  for (let from = 0; from < records.length; from += 1000) await api.upsert(created.id, records.slice(from, from + 1000), { base64: true });
  return { id: created.id };
}
