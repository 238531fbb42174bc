import { describe, expect, it } from 'vitest';
import { creationProblems, recordProblems, type TargetRules } from '../../../../src/core/sinks/target/refusals.js';
import type { BackupRecord } from '../../../../src/core/model/record.js';

const STRICT: TargetRules = { strictKeys: true, embeddingFunctionTypes: ['legacy', 'known', 'unknown'], cloud: false };
const LENIENT: TargetRules = { strictKeys: false, embeddingFunctionTypes: ['legacy', 'known'], cloud: false };
const record = (over: Partial<BackupRecord>): BackupRecord => ({ id: 'a', document: 'doc', metadata: null, embedding: [1, 2], uri: null, ...over });

describe('what a target refuses, record by record', () => {
  it('"$", "#" and empty keys only where the server refuses them (1.0.9 and newer)', () => {
    const metadata = { $dollar: 1, '#hash': 'x', '': 2, 'a$b': 3, 'chroma:document': 'kept' };
    expect(recordProblems(record({ metadata }), STRICT).map((problem) => problem.key)).toEqual(['$dollar', '#hash', '']);
    expect(recordProblems(record({ metadata }), LENIENT)).toEqual([]);
  });

  it('a lone surrogate anywhere, and an empty id, on every server', () => {
    expect(recordProblems(record({ document: 'a\uD800b' }), LENIENT)[0]?.why).toMatch(/the document holds invalid UTF-16/);
    expect(recordProblems(record({ metadata: { k: ['ok', '\uDC00'] } }), LENIENT)[0]).toMatchObject({ key: 'k' });
    expect(recordProblems(record({ id: '' }), LENIENT)[0]?.why).toMatch(/an empty id/);
    expect(recordProblems(record({ document: '\uD83D\uDE00 a whole pair' }), STRICT)).toEqual([]);
  });

  it('an embedding function type the server does not know, wherever the request carries it', () => {
    const configuration = { hnsw: { space: 'l2' }, embedding_function: { type: 'unknown' } };
    expect(creationProblems('docs', { metadata: null, configuration }, LENIENT)[0]?.why).toMatch(/type "unknown" is unknown to this server/);
    expect(creationProblems('docs', { metadata: null, configuration }, STRICT)).toEqual([]);
    expect(creationProblems('x', { metadata: { $k: 1 } }, STRICT).map((problem) => problem.why)).toEqual([expect.stringMatching(/the name "x"/), expect.stringMatching(/collection metadata: metadata keys starting with "\$"/)]);
  });
});
