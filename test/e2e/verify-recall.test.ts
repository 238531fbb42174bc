import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaApi } from '../../src/core/chroma/api.js';
import { endpoint } from '../../src/core/chroma/endpoint.js';
import type { BackupRecord, Space } from '../../src/core/model/record.js';
import { exportCollections } from '../../src/core/operations/export.js';
import { makeTempDir, removeDir } from '../helpers/backup.js';
import { useChromaServer } from '../helpers/chroma.js';
import { runCli } from '../helpers/cli.js';
import { seededRandom } from '../helpers/prng.js';

/**
 * Self-queries used to decide verify: random high-dimensional vectors (HNSW finds fewer of
 * their own neighbours) and "ip" (a record's own vector need not be its nearest) failed with
 * every record equal. Recall is now measured and reported; the records decide.
 */
const chroma = useChromaServer();
let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
  const api = new ChromaApi(endpoint({ url: chroma.url }));
  const seed = async (name: string, space: Space, count: number, dim: number, seedValue: number) => {
    const info = await api.createCollection({ name, metadata: { kind: name }, space });
    const random = seededRandom(seedValue);
    for (let from = 0; from < count; from += 1000) {
      const batch: BackupRecord[] = [];
      for (let i = from; i < Math.min(count, from + 1000); i++) {
        const embedding = new Float32Array(dim);
        // ip: vectors of very different lengths, so the largest dot product is rarely the record's own.
        const scale = space === 'ip' ? 0.1 + random() * 10 : 1;
        for (let d = 0; d < dim; d++) embedding[d] = (random() * 2 - 1) * scale;
        batch.push({ id: `${name}-${i}`, document: `doc ${i}`, metadata: { i }, embedding, uri: null });
      }
      await api.upsert(info.id, batch, { base64: true });
    }
  };
  await seed('inner', 'ip', 2_000, 32, 7);
  await seed('random384', 'cosine', 15_000, 384, 11);
}, 600_000);
afterAll(async () => {
  await removeDir(dir);
});

describe('verify decides on the data and reports the index recall', () => {
  it('an ip collection and 15,000 random 384-d cosine vectors verify (exit 0), each with its recall', async () => {
    const out = join(dir, 'backup.jsonl');
    await exportCollections({ source: endpoint({ url: chroma.url }), out, statePath: join(dir, 'export-state.json') });

    const json = await runCli(['verify', '--input', out, '--url', chroma.url, '--json']);
    expect(json.stderr).not.toMatch(/Unexpected|TypeError/);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as { ok: boolean; collections: Array<{ collection: string; ok: boolean; recall: { k: number; sampled: number; recall: number; efSearch: number | null } }> };
    expect(result.ok).toBe(true);
    for (const verdict of result.collections) {
      expect(verdict.ok).toBe(true);
      expect(verdict.recall).toMatchObject({ k: 10, sampled: 20 });
      expect(verdict.recall.recall).toBeGreaterThan(0);
      expect(verdict.recall.recall).toBeLessThanOrEqual(1);
    }

    const words = await runCli(['verify', '--input', out, '--url', chroma.url, '--sample', '50']);
    expect(words.code).toBe(0);
    expect(words.stderr).toContain('✓ inner: 2,000 from the backup, all equal');
    expect(words.stderr).toContain('✓ random384: 15,000 from the backup, all equal');
    expect(words.stderr).toMatch(/index\s+index recall [01]\.\d\d at k=10 .*50 queries/);
    console.log(words.stderr.split('\n').filter((line) => /✓|✗|index recall|!/.test(line)).join('\n'));
  }, 600_000);
});
