import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupRecord } from '../../../../src/core/model/record.js';
import { credibleRejects, readRejectedIds, RejectsLog, type RefusedRecord } from '../../../../src/core/sinks/target/rejects.js';
import type { TargetRules } from '../../../../src/core/sinks/target/refusals.js';
import { makeTempDir, removeDir } from '../../../helpers/backup.js';

let dir = '';
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

const record = (id: string): BackupRecord => ({ id, document: 'text', metadata: { 'a$b': 1 }, embedding: Float32Array.from([0.5, -0]), uri: null });
const refused = (collection: string, id: string, database?: string): RefusedRecord => ({ collection, ...(database ? { database } : {}), id, problems: [], record: record(id) });

describe('a rejects file read and cleared by target database', () => {
  it('gives a copy only the ids set aside in its own database (a line naming none counts)', async () => {
    const log = new RejectsLog(join(dir, 'copy.jsonl.gz.rejects.jsonl'));
    await log.add([refused('docs', 'a', 'main'), refused('docs', 'b', 'staging'), refused('docs', 'c')]);
    const main = await readRejectedIds(log.path, 'main');
    expect([...(main.get('docs') ?? [])].sort()).toEqual(['a', 'c']);
    const staging = await readRejectedIds(log.path, 'staging');
    expect([...(staging.get('docs') ?? [])].sort()).toEqual(['b', 'c']);
  });

  it('clearing a collection sent again keeps the same-named collection of another database', async () => {
    const log = new RejectsLog(join(dir, 'copy.jsonl.gz.rejects.jsonl'));
    await log.add([refused('docs', 'a', 'main'), refused('docs', 'b', 'staging'), refused('notes', 'n', 'main')]);
    await log.clearCollection('docs', 'main');
    const text = await readFile(log.path, 'utf8');
    expect(text.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(['b', 'n']);
  });
});

describe('which lines of a rejects file may excuse their record', () => {
  const strict: TargetRules = { strictKeys: true, embeddingFunctionTypes: [], cloud: false };
  const plain = (id: string, why: string[]): RefusedRecord => ({ collection: 'docs', id, problems: why.map((text) => ({ why: text })), record: { ...record(id), metadata: { ok: 1 } } });
  const large = (id: string): RefusedRecord => ({ ...plain(id, ['about 1.2 MB as a request; refused it even alone (413 Payload too large)']), record: { ...record(id), metadata: { ok: 1 }, document: 'x'.repeat(1_200_000) } });

  it('keeps a record the target\'s rules refuse, and a large one refused alone as too large', () => {
    const byRules: RefusedRecord = { collection: 'docs', id: 'k', problems: [{ key: '$a', why: 'a "$" key' }], record: { ...record('k'), metadata: { $a: 1 } } };
    expect(credibleRejects([byRules, large('big')], strict).map((line) => line.id)).toEqual(['k', 'big']);
  });

  it('drops a line with no reason, a record the target would take, and a small record "too large alone"', () => {
    expect(credibleRejects([plain('none', []), plain('takes', ['a "$" key']), plain('small', ['refused it even alone (413 Payload too large)'])], strict)).toEqual([]);
    // A "$" key is refused only where the target's keys are strict.
    const byRules: RefusedRecord = { collection: 'docs', id: 'k', problems: [{ key: '$a', why: 'a "$" key' }], record: { ...record('k'), metadata: { $a: 1 } } };
    expect(credibleRejects([byRules], { ...strict, strictKeys: false })).toEqual([]);
  });
});
