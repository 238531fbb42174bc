import { describe, expect, it } from 'vitest';
import { isPlainRecord, isPlainRecordLine } from '../../../../src/core/backup/jsonl/quick-check.js';
import { recordLineSchema, rowSchema } from '../../../../src/core/backup/schemas.js';
import type { BackupRecord } from '../../../../src/core/model/record.js';

// The quick checks may only say yes where the schema says yes: every "no" goes to the schema.
const good: BackupRecord = { id: 'a', document: 'text', metadata: { topic: 'x', n: 1.5, ok: true, none: null }, embedding: [0.5, -1, 3e38], uri: null };
const records: Array<[string, unknown]> = [
  ['good', good],
  ['all null', { id: 'a', document: null, metadata: null, embedding: null, uri: null }],
  ['empty id', { ...good, id: '' }],
  ['numeric id', { ...good, id: 7 }],
  ['document number', { ...good, document: 1 }],
  ['document missing', { ...good, document: undefined }],
  ['uri object', { ...good, uri: {} }],
  ['metadata array', { ...good, metadata: ['a'] }],
  ['metadata nested', { ...good, metadata: { a: { b: 1 } } }],
  ['metadata list value', { ...good, metadata: { a: [1] } }],
  ['metadata NaN', { ...good, metadata: { a: Number.NaN } }],
  ['metadata null prototype', { ...good, metadata: Object.assign(Object.create(null) as object, { a: 'b' }) }],
  ['metadata Date', { ...good, metadata: new Date(0) }],
  ['embedding empty', { ...good, embedding: [] }],
  ['embedding NaN', { ...good, embedding: [1, Number.NaN] }],
  ['embedding beyond float32', { ...good, embedding: [1e39] }],
  ['embedding string value', { ...good, embedding: [1, '2'] }],
  ['embedding float32', { ...good, embedding: new Float32Array([1, 2]) }],
  ['embedding float32 empty', { ...good, embedding: new Float32Array(0) }],
  ['embedding float32 Infinity', { ...good, embedding: Float32Array.of(1, Number.POSITIVE_INFINITY) }],
  ['embedding float32 NaN', { ...good, embedding: Float32Array.of(Number.NaN) }],
  ['embedding float64 array', { ...good, embedding: new Float64Array([1, 2]) }],
  ['metadata with a symbol key', { ...good, metadata: { a: 'b', [Symbol('s')]: 'c' } }],
  ['metadata with "__proto__" from JSON', { ...good, metadata: JSON.parse('{"__proto__":"x","k":1}') as object }],
];

describe('quick checks are never looser than the schemas', () => {
  it.each(records)('record: %s', (_name, value) => {
    // The writer hands the schema a float32 embedding (the export's) as the numbers it holds.
    const embedding = (value as { embedding?: unknown }).embedding;
    const plain = embedding instanceof Float32Array ? { ...(value as object), embedding: Array.from(embedding) } : value;
    if (isPlainRecord(value as BackupRecord)) expect(rowSchema.safeParse(plain).success).toBe(true);
  });

  it.each(records)('record line: %s', (_name, value) => {
    const line = { type: 'record', ...(value as object), embedding: 'AAAAPw==' };
    if (isPlainRecordLine(line)) expect(recordLineSchema.safeParse(line).success).toBe(true);
  });

  it('says yes to the everyday record and line, so the schemas stay off the hot path', () => {
    expect(isPlainRecord(good)).toBe(true);
    expect(isPlainRecord({ ...good, embedding: Float32Array.of(0.5, -1) })).toBe(true);
    expect(isPlainRecordLine({ type: 'record', id: 'a', document: null, metadata: { k: 1 }, uri: null, embedding: 'AAAAPw==' })).toBe(true);
  });

  it('refuses symbol keys, and keeps a JSON "__proto__" key as the key it is (quick check and schema alike)', () => {
    expect(isPlainRecord({ ...good, metadata: { a: 'b', [Symbol('s')]: 'c' } as never })).toBe(false);
    const line = JSON.parse('{"type":"record","id":"a","document":null,"uri":null,"embedding":null,"metadata":{"__proto__":"x","k":1}}') as Record<string, unknown>;
    expect(isPlainRecordLine(line)).toBe(true);
    const metadata = recordLineSchema.parse(line).metadata!;
    expect(Object.keys(metadata)).toEqual(['__proto__', 'k']);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(metadata.__proto__).toBe('x');
  });

  it('says no to a line of another type or with an embedding that is not base64 text', () => {
    expect(isPlainRecordLine({ type: 'end', id: 'a', document: null, metadata: null, uri: null, embedding: null })).toBe(false);
    expect(isPlainRecordLine({ type: 'record', id: 'a', document: null, metadata: null, uri: null, embedding: [1] })).toBe(false);
  });
});
