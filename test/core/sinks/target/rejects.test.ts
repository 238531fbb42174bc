import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupRecord } from '../../../../src/core/model/record.js';
import { readRejectedIds, readRejectedLines, RejectsLog, type RefusedRecord } from '../../../../src/core/sinks/target/rejects.js';
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

  it('keeps the address that refused a record in a field of its own, and reads it back', async () => {
    const log = new RejectsLog(join(dir, 'a.json.rejects.jsonl'));
    await log.add([{ ...refused('docs', 'a'), refusedBy: 'http://127.0.0.1:8000' }, refused('docs', 'b')]);
    const [a, b] = await readRejectedLines(log.path);
    expect(a).toMatchObject({ id: 'a', refusedBy: 'http://127.0.0.1:8000' });
    expect(b).not.toHaveProperty('refusedBy');
  });
});
