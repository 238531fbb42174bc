import { describe, expect, it } from 'vitest';
import { measureRecall, TrueNeighbours } from '../../../../src/core/sinks/verifier/recall.js';
import { ChromaApi } from '../../../../src/core/chroma/api.js';
import { endpoint } from '../../../../src/core/chroma/endpoint.js';
import { useChromaServer } from '../../../helpers/chroma.js';
import { startFaultProxy } from '../../../helpers/fault-proxy.js';
import { seededRandom } from '../../../helpers/prng.js';
import type { BackupRecord } from '../../../../src/core/model/record.js';

const record = (id: string, embedding: number[]): BackupRecord => ({ id, document: null, metadata: null, embedding, uri: null });

describe('true neighbours by brute force, in the collection\'s space', () => {
  const records = [record('a', [1, 0]), record('b', [10, 0]), record('c', [0, 1]), record('d', [0.9, 0.1])];

  it('in ip the nearest is the largest dot product, not the record itself', () => {
    const truth = new TrueNeighbours([records[0]!], 'ip', 2);
    truth.add(records);
    expect(truth.neighbours(0).map((n) => n.id)).toEqual(['b', 'a']);
  });

  it('in l2 the record itself comes first (squared distance 0), then the closest', () => {
    const truth = new TrueNeighbours([records[0]!], 'l2', 2);
    truth.add(records);
    expect(truth.neighbours(0).map((n) => [n.id, n.distance])).toEqual([['a', 0], ['d', expect.closeTo(0.02, 10)]]);
  });

  it('in cosine the length does not count: a and b are equally near', () => {
    const truth = new TrueNeighbours([records[0]!], 'cosine', 3);
    truth.add(records);
    expect(truth.neighbours(0).slice(0, 2).map((n) => n.distance)).toEqual([0, 0]);
    expect(truth.neighbours(0)[2]!.id).toBe('d');
    expect(truth.effectiveK).toBe(3);
  });
});

describe('the self-queries against a real server', () => {
  const chroma = useChromaServer();

  it('go as multi-embedding queries of at most 300 results each, every answer scored against its own sample', async () => {
    const api = new ChromaApi(endpoint({ url: chroma.url }));
    const info = await api.createCollection({ name: 'recall_batched', metadata: null, space: 'l2' });
    const random = seededRandom(3);
    const records = Array.from({ length: 70 }, (_, i) => record(`r${i}`, Array.from({ length: 8 }, () => random() * 2 - 1)));
    await api.upsert(info.id, records, { base64: true });
    const sent: Array<{ embeddings: number; k: number }> = [];
    const proxy = await startFaultProxy(chroma.url, {
      alterBody: {
        paths: /\/query$/,
        change: (body) => {
          sent.push({ embeddings: (body.query_embeddings as unknown[]).length, k: body.n_results as number });
          return body;
        },
      },
    });
    try {
      const truth = new TrueNeighbours(records.slice(0, 35), 'l2', 10);
      truth.add(records);
      const proxied = new ChromaApi(endpoint({ url: proxy.url }));
      const recall = await measureRecall(truth, { api: proxied, call: (work) => work(), collectionId: info.id, efSearch: null });
      // 35 samples at k = 10: 30 in the first request (300 results), 5 in the second.
      expect([...sent].sort((a, b) => b.embeddings - a.embeddings)).toEqual([{ embeddings: 30, k: 10 }, { embeddings: 5, k: 10 }]);
      expect(recall).toMatchObject({ k: 10, sampled: 35 });
      // A sample scored against another's answer would find almost none of its neighbours.
      expect(recall.recall).toBeGreaterThan(0.9);
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
