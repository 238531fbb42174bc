import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup } from '../../../../src/core/backup/read.js';
import type { BackupRecord, CollectionHeader } from '../../../../src/core/model/record.js';
import { BackupWriter, holdsWhatWasWritten, wantsGzip } from '../../../../src/core/backup/jsonl/writer.js';
import { makeRecords } from '../../../helpers/fixtures.js';
import { expectMigrateError, makeTempDir, readAll, removeDir } from '../../../helpers/backup.js';

let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(() => removeDir(dir));

const header = (name: string, count: number, dimension: number | null = 8): CollectionHeader => ({
  name,
  metadata: { 'hnsw:space': 'cosine', owner: 'tests' },
  space: 'cosine',
  count,
  dimension,
});

async function writeBackup(path: string, collections: { name: string; records: BackupRecord[] }[]): Promise<number> {
  const writer = await BackupWriter.open(path, { source: { url: 'https://api.trychroma.com', tenant: 't' } });
  for (const c of collections) {
    await writer.writeCollectionHeader(header(c.name, c.records.length, c.records[0]?.embedding?.length ?? null));
    for (let i = 0; i < c.records.length; i += 100) await writer.writeRecords(c.records.slice(i, i + 100));
    await writer.writeCollectionEnd(c.name, c.records.length);
  }
  return writer.finish();
}

describe.each(['backup.jsonl', 'backup.jsonl.gz'])('round trip (%s)', (file) => {
  it('reads back every record exactly, with embeddings equal at float32', async () => {
    const path = join(dir, `rt-${file}`);
    const docs = makeRecords(1_177, { dim: 8, nullDocEvery: 5, nullMetaEvery: 7, nullEmbeddingEvery: 11, uriEvery: 13 });
    const other = makeRecords(40, { dim: 3, prefix: 'other', seed: 9 });
    const size = await writeBackup(path, [
      { name: 'docs', records: docs },
      { name: 'empty', records: [] },
      { name: 'other', records: other },
    ]);
    expect((await stat(path)).size).toBe(size);

    const summary = await inspectBackup(path);
    expect(summary).toMatchObject({ format: 'chroma-migrate', gzip: file.endsWith('.gz'), bytes: size });
    expect(summary.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(summary.collections).toEqual([
      { ...header('docs', 1_177), count: 1_177, dimension: 8, withoutEmbedding: docs.filter((record) => record.embedding === null).length },
      { ...header('empty', 0, null), count: 0, dimension: null },
      { ...header('other', 40, 3), count: 40, dimension: 3 },
    ]);
    expect(await readAll(path, 'docs')).toEqual(docs);
    expect(await readAll(path, 'other', { batchSize: 7 })).toEqual(other);
    expect(await readAll(path, 'empty')).toEqual([]);
  });

  it('keeps lines longer than its write buffer whole and in order, multi-byte text included', async () => {
    const path = join(dir, `long-${file}`);
    const records = makeRecords(60, { dim: 8 }).map((record, index) =>
      // Around the 1 MiB flush point and beyond the spare room: ASCII, 2-byte and 4-byte UTF-8.
      index % 20 === 3 ? { ...record, document: `${'é'.repeat(450_000)}🚀${'x'.repeat(index * 9_000)}` } : record,
    );
    await writeBackup(path, [{ name: 'docs', records }]);
    expect(await readAll(path, 'docs')).toEqual(records);
  });

  it('stores embeddings as float32 (values are rounded, not kept as float64)', async () => {
    const path = join(dir, `f32-${file}`);
    const record: BackupRecord = { id: 'x', document: 'é ✓ "q"', metadata: { a: 1.5, b: null, c: true }, embedding: [0.1, -2.5, 1e-8, 123456.789], uri: null };
    await writeBackup(path, [{ name: 'c', records: [record] }]);
    const [back] = await readAll(path, 'c');
    expect(back!.embedding).toEqual(record.embedding!.map(Math.fround));
    expect({ ...back, embedding: null }).toEqual({ ...record, embedding: null });
  });
});

describe('file layout', () => {
  it('writes the header, collection, record, end and end-file lines of format version 4, metadata last', async () => {
    const path = join(dir, 'layout.jsonl');
    await writeBackup(path, [{ name: 'docs', records: makeRecords(2, { dim: 2 }) }]);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type ?? l.format)).toEqual(['chroma-migrate-backup', 'collection', 'record', 'record', 'end', 'end-file']);
    expect(Object.keys(lines[2]!)).toEqual(['type', 'id', 'document', 'uri', 'embedding', 'metadata']);
    expect(lines[0]).toMatchObject({ version: 4, source: { url: 'https://api.trychroma.com', tenant: 't' } });
    expect(lines[2]!.embedding).toBe(Buffer.from(new Float32Array(makeRecords(1, { dim: 2 })[0]!.embedding!).buffer).toString('base64'));
    expect(lines[4]).toEqual({ type: 'end', name: 'docs', count: 2 });
    expect(lines[5]).toEqual({ type: 'end-file', collections: 1 });
  });

  it('never writes secrets into the source description', async () => {
    const path = join(dir, 'secrets.jsonl');
    const writer = await BackupWriter.open(path, { source: { url: 'u', apiKey: 'ck-123', nested: { token: 't', tenant: 'x' }, headers: { Authorization: 'Bearer z' } } });
    await writer.finish();
    const text = await readFile(path, 'utf8');
    expect(text).not.toMatch(/ck-123|Bearer|"token"/);
    expect(JSON.parse(text.split('\n')[0]!).source).toEqual({ url: 'u', nested: { tenant: 'x' }, headers: {} });
  });

  it('gzip output is a concatenation of members that gunzip reads as one stream', async () => {
    const path = join(dir, 'members.jsonl.gz');
    const writer = await BackupWriter.open(path);
    await writer.writeCollectionHeader(header('docs', 3));
    for (const r of makeRecords(3)) {
      await writer.writeRecords([r]);
      await writer.checkpoint();
    }
    await writer.writeCollectionEnd('docs', 3);
    await writer.finish();
    const raw = await readFile(path);
    let members = 0;
    for (let i = 0; i + 2 < raw.length; i++) if (raw[i] === 0x1f && raw[i + 1] === 0x8b && raw[i + 2] === 0x08) members++;
    expect(members).toBeGreaterThanOrEqual(4);
    expect(gunzipSync(raw).toString('utf8').trimEnd().split('\n')).toHaveLength(7);
  });

  it('compresses a ".gz.partial" path (exports write there, then rename)', () => {
    expect(wantsGzip('/x/backup.jsonl.gz.partial')).toBe(true);
    expect(wantsGzip('/x/backup.jsonl.gz')).toBe(true);
    expect(wantsGzip('/x/backup.jsonl.partial')).toBe(false);
  });
});

describe.each(['resume.jsonl', 'resume.jsonl.gz'])('resume (%s)', (file) => {
  it('continues after a checkpoint: truncates what came after it and appends', async () => {
    const path = join(dir, file);
    const records = makeRecords(500, { dim: 4, nullDocEvery: 3 });
    const first = await BackupWriter.open(path, { source: { run: 1 } });
    await first.writeCollectionHeader(header('a', 2, 4));
    await first.writeRecords(records.slice(0, 2));
    await first.writeCollectionEnd('a', 2);
    await first.writeCollectionHeader(header('docs', 500, 4));
    await first.writeRecords(records.slice(0, 150));
    const mark = await first.checkpoint();
    expect((await stat(path)).size).toBe(mark);
    // Written after the checkpoint, then the process "dies": this must not survive.
    await first.writeRecords(records.slice(150, 220));
    await first.checkpoint();
    await first.abort();

    const second = await BackupWriter.open(path, { resumeAtBytes: mark });
    expect(second.bytesWritten).toBe(mark);
    await second.writeRecords(records.slice(150, 400));
    const mark2 = await second.checkpoint();
    await second.writeRecords(records.slice(400, 450)); // lost again
    await second.abort();

    const third = await BackupWriter.open(path, { resumeAtBytes: mark2 });
    await third.writeRecords(records.slice(400));
    await third.writeCollectionEnd('docs', 500);
    await third.writeCollectionHeader(header('late', 1, 4));
    await third.writeRecords(records.slice(0, 1));
    await third.writeCollectionEnd('late', 1);
    const size = await third.finish();

    // Its start was written by another run: no claim to have written every byte.
    expect(third.written).toBeNull();
    const summary = await inspectBackup(path);
    expect(summary.bytes).toBe(size);
    expect(summary.collections.map((c) => [c.name, c.count])).toEqual([
      ['a', 2],
      ['docs', 500],
      ['late', 1],
    ]);
    expect(await readAll(path, 'docs', { batchSize: 64 })).toEqual(records);
  });

  it('resumes between collections, keeping the header line and counting collections', async () => {
    const path = join(dir, `between-${file}`);
    const w = await BackupWriter.open(path);
    await w.writeCollectionHeader(header('one', 1));
    await w.writeRecords(makeRecords(1));
    await w.writeCollectionEnd('one', 1);
    const mark = await w.checkpoint();
    await w.abort();
    const again = await BackupWriter.open(path, { resumeAtBytes: mark });
    await again.writeCollectionHeader(header('two', 0, null));
    await again.writeCollectionEnd('two', 0);
    await again.finish();
    const summary = await inspectBackup(path);
    expect(summary.collections.map((c) => c.name)).toEqual(['one', 'two']);
  });

  it('refuses an offset that is not a checkpoint of this file', async () => {
    const path = join(dir, `bad-offset-${file}`);
    const w = await BackupWriter.open(path);
    await w.writeCollectionHeader(header('one', 2));
    await w.writeRecords(makeRecords(2));
    const mark = await w.checkpoint();
    await w.abort();
    await expectMigrateError(BackupWriter.open(path, { resumeAtBytes: mark + 10 }), 'BAD_STATE', /only \d+ bytes long/);
    await expectMigrateError(BackupWriter.open(path, { resumeAtBytes: 0 }), 'BAD_STATE', /positive/);
    await expectMigrateError(BackupWriter.open(path, { resumeAtBytes: mark - 5 }), 'BAD_STATE', /Cannot resume writing/);
  });

  it('keeps the written count across the resume, so a wrong end count is refused', async () => {
    const path = join(dir, `count-${file}`);
    const w = await BackupWriter.open(path);
    await w.writeCollectionHeader(header('docs', 5));
    await w.writeRecords(makeRecords(3));
    const mark = await w.checkpoint();
    await w.abort();
    const again = await BackupWriter.open(path, { resumeAtBytes: mark });
    await expectMigrateError(again.writeCollectionEnd('docs', 5), 'BAD_STATE', /3 records were written/);
    // ...and a record of another dimension is refused before it reaches the file.
    await expectMigrateError(again.writeRecords(makeRecords(1, { dim: 5 })), 'BAD_INPUT', /dimension is 8/);
    await again.writeCollectionEnd('docs', 3);
    await again.finish();
    expect((await inspectBackup(path)).collections[0]!.count).toBe(3);
  });
});

describe('the open collection\'s ids (what the export\'s end check compares with the source)', () => {
  it('holds each id once and counts the records that repeated one, also after a resume', async () => {
    const path = join(dir, 'ids.jsonl');
    const records = makeRecords(300, { dim: 4 });
    const first = await BackupWriter.open(path, { source: {} });
    await first.writeCollectionHeader(header('docs', 300, 4));
    // An insert at the source shifted the pages: records 100–109 come again.
    await first.writeRecords([...records.slice(0, 110), ...records.slice(100, 110)]);
    expect(first.openIds.repeated).toBe(10);
    expect(first.openIds.ids.size).toBe(110);
    const mark = await first.checkpoint();
    await first.abort();

    const second = await BackupWriter.open(path, { resumeAtBytes: mark });
    expect(second.openIds.repeated).toBe(10);
    expect(second.openIds.ids.size).toBe(110);
    await second.writeRecords([records[5]!, ...records.slice(110)]);
    expect(second.openIds.repeated).toBe(11);
    expect(second.openIds.ids.size).toBe(300);
    expect(second.openIds.ids.idAt(299)).toBe(records[299]!.id);
    await second.abort();
  });
});

describe('writer misuse and bad input', () => {
  it('refuses records outside a collection, unbalanced ends and unreadable records', async () => {
    const path = join(dir, 'misuse.jsonl');
    const w = await BackupWriter.open(path);
    await expectMigrateError(w.writeRecords(makeRecords(1)), 'BAD_STATE', /outside a collection/);
    await w.writeCollectionHeader(header('docs', 1));
    await expectMigrateError(w.writeCollectionHeader(header('other', 1)), 'BAD_STATE', /still open/);
    const good = makeRecords(2);
    const bad = { ...good[1]!, embedding: [1, Number.NaN, 3, 4, 5, 6, 7, 8] };
    await expectMigrateError(w.writeRecords([good[0]!, bad]), 'BAD_INPUT', /embedding\[1\] must be a finite number/);
    await expectMigrateError(w.writeRecords([{ ...good[0]!, id: '' }]), 'BAD_INPUT', /id must not be empty/);
    await expectMigrateError(w.finish(), 'BAD_STATE', /is open/);
    await w.writeRecords([good[0]!]); // the rejected batch left nothing behind
    await expectMigrateError(w.writeCollectionEnd('other', 1), 'BAD_STATE', /open collection is "docs"/);
    await w.writeCollectionEnd('docs', 1);
    await w.finish();
    expect(await readAll(path, 'docs')).toEqual([good[0]]);
    await expectMigrateError(w.writeRecords([]), 'BAD_STATE', /closed/);
  });

  it('names an open collection escaped when finished too early: a name cannot forge a line', async () => {
    const w = await BackupWriter.open(join(dir, 'misuse-name.jsonl'));
    await w.writeCollectionHeader(header('evil\n✓ done', 0));
    await expectMigrateError(w.finish(), 'BAD_STATE', /collection "evil\\n✓ done" is open/);
    await w.abort();
  });

  it('lets the schema decide what its quick check cannot: null-prototype metadata, float32 overflow', async () => {
    const path = join(dir, 'schema-decides.jsonl');
    const w = await BackupWriter.open(path);
    await w.writeCollectionHeader(header('docs', 1));
    const [good] = makeRecords(1);
    const bare = Object.assign(Object.create(null) as Record<string, string>, { topic: 'kept' });
    await w.writeRecords([{ ...good!, metadata: bare }]);
    await expectMigrateError(w.writeRecords([{ ...good!, embedding: [1, 2, 3, 4, 5, 6, 7, 1e39] }]), 'BAD_INPUT', /1e\+39 does not fit in float32/);
    await expectMigrateError(w.writeRecords([{ ...good!, metadata: { tags: ['a', 1] } as never }]), 'BAD_INPUT', /metadata\.tags must be a list of one type/);
    await w.writeCollectionEnd('docs', 1);
    await w.finish();
    expect((await readAll(path, 'docs'))[0]?.metadata).toEqual({ topic: 'kept' });
  });

  it('takes float32 embeddings (as the export reads them) and writes the same line as for numbers', async () => {
    const records = makeRecords(3);
    const asNumbers = join(dir, 'as-numbers.jsonl');
    const asFloats = join(dir, 'as-floats.jsonl');
    for (const [path, rows] of [
      [asNumbers, records],
      [asFloats, records.map((record) => ({ ...record, embedding: Float32Array.from(record.embedding!) }))],
    ] as const) {
      const w = await BackupWriter.open(path);
      await w.writeCollectionHeader(header('docs', 3));
      await w.writeRecords(rows);
      await w.writeCollectionEnd('docs', 3);
      await w.finish();
    }
    const records1 = (await readFile(asNumbers, 'utf8')).split('\n').slice(1);
    expect((await readFile(asFloats, 'utf8')).split('\n').slice(1)).toEqual(records1);

    const w = await BackupWriter.open(join(dir, 'floats-refused.jsonl'));
    await w.writeCollectionHeader(header('docs', 1));
    const bad = { ...records[0]!, embedding: Float32Array.of(1, 2, 3, 4, 5, 6, 7, Number.POSITIVE_INFINITY) };
    await expectMigrateError(w.writeRecords([bad]), 'BAD_INPUT', /embedding\[7\] must be a finite number/);
    await expectMigrateError(w.writeRecords([{ ...records[0]!, embedding: new Float32Array(0) }]), 'BAD_INPUT', /embedding/);
    await w.abort();
  });

  it('writes absent fields as null, so the reader takes back what the writer took', async () => {
    const path = join(dir, 'absent-fields.jsonl');
    const w = await BackupWriter.open(path);
    await w.writeCollectionHeader(header('docs', 1, null));
    await w.writeRecords([{ id: 'only-an-id' } as unknown as BackupRecord]);
    await w.writeCollectionEnd('docs', 1);
    await w.finish();
    expect(await readAll(path, 'docs')).toEqual([{ id: 'only-an-id', document: null, metadata: null, embedding: null, uri: null }]);
  });

  it('keeps calls in order even when they are not awaited one by one', async () => {
    const path = join(dir, 'unawaited.jsonl');
    const w = await BackupWriter.open(path);
    const records = makeRecords(30);
    const calls: Promise<unknown>[] = [w.writeCollectionHeader(header('docs', 30))];
    for (const r of records) calls.push(w.writeRecords([r]));
    calls.push(w.writeCollectionEnd('docs', 30), w.finish());
    await Promise.all(calls);
    expect(await readAll(path, 'docs')).toEqual(records);
  });

  it('reports a missing folder as an IO error', async () => {
    await expectMigrateError(BackupWriter.open(join(dir, 'no', 'such', 'dir.jsonl')), 'IO', /no such file or folder/);
  });

  it('writes large batches in bounded chunks (several flushes before the checkpoint)', async () => {
    const path = join(dir, 'large.jsonl');
    const w = await BackupWriter.open(path);
    await w.writeCollectionHeader(header('docs', 3_000, 384));
    const records = makeRecords(3_000, { dim: 384 });
    for (let i = 0; i < records.length; i += 500) await w.writeRecords(records.slice(i, i + 500));
    // Something already reached the disk before any checkpoint: output is not held in memory.
    expect(w.bytesWritten).toBeGreaterThan(1 << 20);
    await w.writeCollectionEnd('docs', 3_000);
    await w.finish();
    expect((await inspectBackup(path)).collections[0]).toMatchObject({ count: 3_000, dimension: 384 });
  });
});

describe.each(['whole.jsonl', 'whole.jsonl.gz'])('a file written whole (%s)', (file) => {
  it('knows every byte it wrote: the sha256 and length of the file, and the collections ended in it', async () => {
    const path = join(dir, file);
    const writer = await BackupWriter.open(path, { source: { run: 1 } });
    expect(writer.written).toBeNull();
    const records = makeRecords(2_500, { dim: 8 });
    await writer.writeCollectionHeader(header('docs', records.length));
    for (let i = 0; i < records.length; i += 500) await writer.writeRecords(records.slice(i, i + 500));
    await writer.checkpoint();
    await writer.writeCollectionEnd('docs', records.length);
    await writer.writeCollectionHeader(header('empty', 0));
    await writer.writeCollectionEnd('empty', 0);
    const size = await writer.finish();
    const bytes = await readFile(path);
    expect(writer.written).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: size, collections: [{ name: 'docs', count: 2_500 }, { name: 'empty', count: 0 }] });
    expect(await holdsWhatWasWritten(path, writer.written!)).toBe(true);

    // One byte changed, or one more at the end: not what was written.
    const changed = Buffer.from(bytes);
    const middle = Math.floor(changed.length / 2);
    changed[middle] = changed[middle]! ^ 1;
    await writeFile(path, changed);
    expect(await holdsWhatWasWritten(path, writer.written!)).toBe(false);
    await writeFile(path, Buffer.concat([bytes, Buffer.from('\n')]));
    expect(await holdsWhatWasWritten(path, writer.written!)).toBe(false);
    await writeFile(path, bytes);
    expect(await holdsWhatWasWritten(path, writer.written!)).toBe(true);
  });
});
