import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup, readRecords } from '../../../src/core/backup/read.js';
import { encodeEmbedding } from '../../../src/core/model/float32.js';
import type { BackupRecord } from '../../../src/core/model/record.js';
import { BackupWriter } from '../../../src/core/backup/jsonl/writer.js';
import { makeRecords, pyJson, writePythonColumnsJson, writePythonRowsJson } from '../../helpers/fixtures.js';
import { expectMigrateError, makeTempDir, readAll, removeDir } from '../../helpers/backup.js';

let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(() => removeDir(dir));

const records = makeRecords(50, { dim: 4 });

async function own(name: string, list: BackupRecord[] = records): Promise<string> {
  const path = join(dir, name);
  const w = await BackupWriter.open(path);
  await w.writeCollectionHeader({ name: 'docs', metadata: null, space: null, count: list.length, dimension: list[0]?.embedding?.length ?? null });
  await w.writeRecords(list);
  await w.writeCollectionEnd('docs', list.length);
  await w.finish();
  return path;
}

/** Rewrites lines of a plain own-format file. */
async function editLines(path: string, edit: (lines: string[]) => string[]): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  await writeFile(path, edit(lines).join('\n'));
}

const line = (o: Record<string, unknown>): string => JSON.stringify(o);
const recordLine = (id: string, embedding: string | null = encodeEmbedding([1, 2, 3, 4]), extra: Record<string, unknown> = {}): string =>
  line({ type: 'record', id, document: null, metadata: null, uri: null, embedding, ...extra });

describe('own format: truncated files', () => {
  it('names the line when a record is cut off mid-line', async () => {
    const path = await own('cut-mid.jsonl');
    const text = await readFile(path, 'utf8');
    const cut = text.indexOf('"type":"record","id":"rec-000010"') + 40;
    await truncate(path, Buffer.byteLength(text.slice(0, cut)));
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', /^cut-mid\.jsonl line 13: the line is cut off — the file is truncated$/);
    // readRecords hits the same wall once it gets there.
    await expectMigrateError(readAll(path, 'docs'), 'BAD_BACKUP', /line 13: the line is cut off/);
  });

  it('says which line was expected when the collection trailer is missing', async () => {
    const path = await own('no-trailer.jsonl');
    await editLines(path, (lines) => lines.slice(0, 52)); // header, collection, 50 records
    await expectMigrateError(
      inspectBackup(path),
      'BAD_BACKUP',
      /^no-trailer\.jsonl line 53: expected a "record" or "end" line for collection "docs", got end of file — the file is truncated$/,
    );
  });

  it('refuses a file without the end-file line', async () => {
    const path = await own('no-end-file.jsonl');
    await editLines(path, (lines) => lines.slice(0, 53));
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', /line 54: expected a "collection" or "end-file" line, got end of file — the file is truncated/);
  });

  it('reports a cut gzip stream as truncated', async () => {
    const path = await own('cut.jsonl.gz', makeRecords(2_000, { dim: 64 }));
    const raw = await readFile(path);
    await writeFile(path, raw.subarray(0, Math.floor(raw.length * 0.6)));
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', /cut\.jsonl\.gz: the gzip data ends early — the file is truncated|the file is truncated/);
  });

  it('reports a gzip file cut at a member boundary by the missing lines', async () => {
    const path = join(dir, 'cut-member.jsonl.gz');
    const w = await BackupWriter.open(path);
    await w.writeCollectionHeader({ name: 'docs', metadata: null, space: null, count: 5, dimension: 4 });
    await w.writeRecords(records.slice(0, 5));
    await w.checkpoint();
    await w.abort();
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', /line 8: expected a "record" or "end" line for collection "docs", got end of file/);
  });
});

describe('own format: wrong content', () => {
  it('checks the trailer count against the records seen', async () => {
    const path = await own('count.jsonl');
    await editLines(path, (lines) => lines.map((l) => (l.startsWith('{"type":"end",') ? line({ type: 'end', name: 'docs', count: 51 }) : l)));
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', /line 53: collection "docs" ends claiming 51 records, but 50 record lines came before it/);
  });

  it.each([
    ['a number id', recordLine('x', null, { id: 7 }), /line 5: record line: id must be a string/],
    ['an empty id', recordLine(''), /line 5: record line: id must not be empty/],
    ['nested metadata', recordLine('x', null, { metadata: { a: { b: 1 } } }), /line 5: record line: metadata\.a must be a string, number, boolean, a list of one of those, a sparse vector, or null/],
    ['a nested list in metadata', recordLine('x', null, { metadata: { a: [[1]] } }), /line 5: record line: metadata\.a must be a list of plain values \(Chroma refuses nested lists\)/],
    ['a mixed list in metadata', recordLine('x', null, { metadata: { a: ['x', 1] } }), /line 5: record line: metadata\.a must be a list of one type \(Chroma refuses mixed lists\)/],
    ['a numeric document', recordLine('x', null, { document: 5 }), /line 5: record line: document must be a string or null/],
    ['base64 that is not 4-byte aligned', recordLine('x', Buffer.from([1, 2, 3, 4, 5, 6]).toString('base64')), /line 5: record "x": the embedding is 6 bytes, not a whole number of float32 values/],
    ['text that is not base64', recordLine('x', 'not base64!'), /line 5: record "x": the embedding is not valid base64/],
    ['a NaN in the float bytes', recordLine('x', Buffer.from(new Float32Array([1, Number.NaN]).buffer).toString('base64')), /line 5: record "x": the embedding holds NaN/],
    ['a record missing its embedding key', line({ type: 'record', id: 'x', document: null, metadata: null, uri: null }), /line 5: record line: embedding is missing/],
    ['an unknown line type', line({ type: 'weird' }), /line 5: expected a "record" or "end" line for collection "docs", got a "weird" line/],
    ['a line that is not JSON', '{"type":"record", oops', /line 5: expected a JSON object on this line, but it is not valid JSON/],
  ])('rejects %s, naming the line', async (_what, bad, message) => {
    const path = await own(`wrong-${_what.replace(/\W+/g, '-')}.jsonl`);
    await editLines(path, (lines) => [...lines.slice(0, 4), bad, ...lines.slice(5)]);
    const error = await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', message);
    expect(error.message).not.toMatch(/SyntaxError|ZodError/);
    expect(error.fix).toBeTruthy();
  });

  it('rejects duplicate ids, naming the id', async () => {
    const dup = [...records.slice(0, 10), { ...records[20]!, id: records[3]!.id }, ...records.slice(11)];
    const path = await own('dup.jsonl', dup);
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', /duplicate id "rec-000003" in collection "docs" \(records #4 and #11\)/);
  });

  it('rejects mixed dimensions, naming the id', async () => {
    const path = await own('dims.jsonl');
    await editLines(path, (lines) => [...lines.slice(0, 6), recordLine('odd-one', encodeEmbedding([1, 2, 3])), ...lines.slice(7)]);
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', /line 7: record "odd-one" has 3 numbers, but collection "docs" declares dimension 4/);
  });

  it('rejects an unknown format version with its own message', async () => {
    const path = await own('v5.jsonl');
    await editLines(path, (lines) => [lines[0]!.replace('"version":4', '"version":5'), ...lines.slice(1)]);
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', /is a version 5 backup; this chroma-migrate reads versions 1, 2, 3 and 4/);
  });

  it('reports a missing collection as NOT_FOUND', async () => {
    const path = await own('nf.jsonl');
    await expectMigrateError(readAll(path, 'other'), 'NOT_FOUND', /"other" is not in the backup nf\.jsonl/);
  });
});

describe('Python exports: broken files', () => {
  it('names the byte offset when a row-wise export stops mid-record', async () => {
    const path = join(dir, 'cut.json');
    await writePythonRowsJson(path, 'docs', records);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, text.indexOf('"rec-000031"') + 30));
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', /^cut\.json near byte \d+ in records\[31\]\.document: expected the rest of records\[31\]\.document, got end of file — the file is truncated$/);
  });

  it('names the byte offset of a record with wrong types', async () => {
    const path = join(dir, 'types.json');
    const bad = records.map((r, i) => (i === 7 ? { ...r, metadata: { tags: ['a', 2] } } : r)) as BackupRecord[];
    await writePythonRowsJson(path, 'docs', bad);
    const offset = (await readFile(path, 'utf8')).indexOf('{"id": "rec-000007"');
    await expectMigrateError(
      inspectBackup(path),
      'BAD_BACKUP',
      new RegExp(`^types\\.json near byte ${offset} in records\\[7\\]: record \\(id "rec-000007"\\): metadata\\.tags must be a list of one type \\(Chroma refuses mixed lists\\)$`),
    );
  });

  it('rejects duplicate ids and mixed dimensions in rows, naming the id', async () => {
    const dupPath = join(dir, 'dup.json');
    await writePythonRowsJson(dupPath, 'docs', [...records, { ...records[0]!, document: 'again' }]);
    await expectMigrateError(inspectBackup(dupPath), 'BAD_BACKUP', /duplicate id "rec-000000" in collection "docs" \(records #1 and #51\)/);

    const dimPath = join(dir, 'dims.json');
    await writePythonRowsJson(dimPath, 'docs', [...records.slice(0, 5), { ...records[5]!, embedding: [1, 2] }]);
    await expectMigrateError(inspectBackup(dimPath), 'BAD_BACKUP', /in records\[5\]: record "rec-000005" has 2 numbers, but earlier embeddings in collection "docs" have 4 \(mixed dimensions\)/);
  });

  it('rejects column problems: unequal lengths, duplicate ids, mixed dimensions naming the id', async () => {
    const unequal = join(dir, 'unequal.json');
    await writeFile(unequal, pyJson({ ids: ['a', 'b', 'c'], documents: ['x', null], embeddings: null }));
    await expectMigrateError(inspectBackup(unequal), 'BAD_BACKUP', /"documents" has 2 items but "ids" has 3/);
    await expectMigrateError(readAll(unequal, 'unequal'), 'BAD_BACKUP', /"documents" has fewer items than "ids"/);

    const dup = join(dir, 'dup-columns.json');
    await writePythonColumnsJson(dup, 'docs', [...records.slice(0, 9), records[2]!]);
    await expectMigrateError(inspectBackup(dup), 'BAD_BACKUP', /duplicate id "rec-000002" in collection "docs" \(records #3 and #10\)/);

    const dims = join(dir, 'dims-columns.json');
    await writeFile(dims, pyJson({ collection: 'd', embeddings: [[1, 2], [3, 4], [5]], ids: ['a', 'b', 'c'] }));
    await expectMigrateError(inspectBackup(dims), 'BAD_BACKUP', /in embeddings\[2\]: record "c" has 1 numbers, but earlier embeddings in collection "d" have 2 \(mixed dimensions\)/);
  });

  it('explains a bad embedding in either shape, when checked and when read', async () => {
    // [embedding, where in a row, what is wrong]
    const cases: Array<[unknown, string, string]> = [
      [[1, 'x'], '[1]', 'must be a finite number'],
      [[], '', 'must not be an empty list'],
      ['x', '', 'must be a list of numbers or null'],
      // 1e39 is a finite double, but Infinity as the float32 Chroma stores.
      [[1, 1e39], '[1]', 'is out of range: 1e+39 does not fit in float32, what Chroma stores'],
    ];
    const escape = (text: string) => text.replace(/[[\]().+]/g, '\\$&');
    for (const [i, [embedding, at, problem]] of cases.entries()) {
      const rows = join(dir, `embedding-${i}-rows.json`);
      const columns = join(dir, `embedding-${i}-columns.json`);
      await writeFile(rows, JSON.stringify({ collection_name: 'e', records: [{ id: 'a', embedding }] }));
      await writeFile(columns, JSON.stringify({ collection_name: 'e', ids: ['a'], embeddings: [embedding] }));
      const inRow = new RegExp(`records\\[0\\]: record.*embedding${escape(at)} ${escape(problem)}$`);
      const inColumn = new RegExp(`embeddings\\[0\\]: (the item )?${escape(at === '' ? 'the item' : at)} ${escape(problem)}$`);
      await expectMigrateError(inspectBackup(rows), 'BAD_BACKUP', inRow);
      await expectMigrateError(readAll(rows, 'e'), 'BAD_BACKUP', inRow);
      await expectMigrateError(inspectBackup(columns), 'BAD_BACKUP', inColumn);
      await expectMigrateError(readAll(columns, 'e'), 'BAD_BACKUP', inColumn);
    }
  });

  it.each([
    ['NaN in an embedding', '{"records": [{"id": "a", "embedding": [NaN, 1]}]}', /near byte 39 in records\[0\]\.embedding: expected a JSON value, but it contains NaN or Infinity/],
    ['a trailing comma', '{"records": [{"id": "a"},]}', /near byte 25 in records\[1\]: expected a JSON value, got "\]"/],
    ['an id that is a number', '{"records": [{"id": 5}]}', /near byte 13 in records\[0\]: record: id must be a string/],
    ['records that are not a list', '{"records": {"id": "a"}}', /near byte 12 in records: expected "records" to be a list of records/],
    ['a column that is not a list', '{"ids": "a"}', /expected "ids" to be a list or null/],
    ['a JSON Lines file of records', '{"id": "a", "records": []}\n{"id": "b"}\n', /near byte 27: expected nothing after the top-level JSON object \(JSON Lines files other than chroma-migrate backups are not supported\)/],
  ])('rejects %s', async (_what, text, message) => {
    const path = join(dir, `bad-${_what.replace(/\W+/g, '-')}.json`);
    await writeFile(path, text);
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', message);
  });
});

describe('not a backup at all', () => {
  it.each([
    ['empty', '', /is empty/],
    ['text', 'hello, world', /is not a backup this tool can read: it does not start with a JSON object \(first character "h"\)\. Accepted: a chroma-migrate backup/],
    ['binary', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 9]), /it is a binary file, not JSON/],
    ['a JSON array', '[{"id": "a"}]', /it does not start with a JSON object \(first character "\["\)/],
    ['an unrelated JSON object', '{"name": "package", "version": "1.0.0"}', /not a backup this tool can read: the JSON object has no "records", "ids" or "collections"\. Accepted:/],
    ['gzip of garbage', gzipSync('PK garbage'), /first character "P"/],
  ])('explains what is accepted (%s)', async (what, content, message) => {
    const path = join(dir, `garbage-${what.replace(/\W+/g, '-')}`);
    await writeFile(path, content);
    const error = await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', message);
    expect(error.message).not.toMatch(/SyntaxError|Unexpected token/);
  });

  it('reports a missing file or a folder as IO', async () => {
    await expectMigrateError(inspectBackup(join(dir, 'missing.jsonl')), 'IO', /no such file/);
    await expectMigrateError(inspectBackup(dir), 'IO', /it is a directory/);
  });

  it('refuses a corrupt gzip stream', async () => {
    const path = join(dir, 'corrupt.json.gz');
    const raw = gzipSync(Buffer.from(pyJson({ records: records })));
    raw.fill(0x55, 40, 80);
    await writeFile(path, raw);
    await expectMigrateError(inspectBackup(path), 'BAD_BACKUP', /gzip data is corrupt|gzip data ends early/);
  });
});

describe('abort', () => {
  it('stops inspect and readRecords when the signal fires', async () => {
    const path = join(dir, 'abort.json');
    await writePythonRowsJson(path, 'docs', makeRecords(5_000, { dim: 64 }));
    const before = new AbortController();
    before.abort();
    await expectMigrateError(inspectBackup(path, { signal: before.signal }), 'INTERRUPTED', /interrupted/);

    const during = new AbortController();
    let batches = 0;
    const reading = (async () => {
      for await (const _ of readRecords(path, 'docs', { batchSize: 10, signal: during.signal })) {
        if (++batches === 3) during.abort();
      }
    })();
    await expectMigrateError(reading, 'INTERRUPTED', /interrupted/);
    expect(batches).toBeLessThan(20);

    const mid = new AbortController();
    setTimeout(() => mid.abort(), 5);
    await expectMigrateError(inspectBackup(path, { signal: mid.signal }), 'INTERRUPTED', /interrupted/);
  });

  it('closes every file it opened when the caller stops early, on errors and on abort', async () => {
    const openFds = async (): Promise<number> => {
      await new Promise((r) => setTimeout(r, 50)); // stream destruction closes fds asynchronously
      return (await readdir('/proc/self/fd')).length;
    };
    const path = join(dir, 'early.json');
    await writePythonColumnsJson(path, 'docs', makeRecords(3_000, { dim: 8 }));
    const before = await openFds();
    for await (const batch of readRecords(path, 'docs', { batchSize: 10 })) {
      expect(batch).toHaveLength(10);
      break;
    }
    const unequal = join(dir, 'early-unequal.json');
    await writeFile(unequal, pyJson({ ids: ['a', 'b', 'c'], documents: ['x'] }));
    await expectMigrateError(readAll(unequal, 'early-unequal'), 'BAD_BACKUP', /fewer items/);
    const controller = new AbortController();
    const reading = (async () => {
      for await (const _ of readRecords(path, 'docs', { batchSize: 10, signal: controller.signal })) controller.abort();
    })();
    await expectMigrateError(reading, 'INTERRUPTED', /interrupted/);
    expect(await openFds()).toBe(before);
  });
});
