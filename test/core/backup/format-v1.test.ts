/**
 * Backups written by chroma-migrate in format version 1 still read, and read the
 * way import writes them back and verify reads them from the target; a partial one is not
 * appended to with version-2 lines.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEmbedding } from '../../../src/core/model/float32.js';
import { inspectBackup } from '../../../src/core/backup/read.js';
import { BackupWriter } from '../../../src/core/backup/jsonl/writer.js';
import { compareMetadata } from '../../../src/core/model/compare-values.js';
import { parseTyped, stringifyTyped } from '../../../src/core/model/typed-json.js';
import { WholeFloat, type Metadata } from '../../../src/core/model/values.js';
import { expectMigrateError, makeTempDir, readAll, removeDir } from '../../helpers/backup.js';

let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(() => removeDir(dir));

/** The lines as version 1 wrote them: JSON.stringify of JSON.parse'd metadata. */
function v1File(metadata: Metadata, end = true): string {
  const lines = [
    { format: 'chroma-migrate-backup', version: 1, created_at: '2026-10-01T10:00:00.000Z', source: { url: 'https://api.trychroma.com' } },
    { type: 'collection', name: 'docs', metadata: null, space: 'cosine', count: 1, dimension: 2 },
    { type: 'record', id: 'a', document: null, metadata, uri: null, embedding: encodeEmbedding([0.5, 1]) },
    ...(end ? [{ type: 'end', name: 'docs', count: 1 }, { type: 'end-file', collections: 1 }] : []),
  ];
  return lines.map((line) => JSON.stringify(line) + '\n').join('');
}

describe('format version 1 backups', () => {
  it('read as typed where the text can tell: a float past 1e21, an int past 2^53 as its digits', async () => {
    const path = join(dir, 'v1.jsonl');
    // What version 1 made of 2.0, 1234567890123456789 and 1e21 read from the wire.
    await writeFile(path, v1File(JSON.parse('{"f":2.0,"big":1234567890123456789,"e":1e21,"l":[1.0,2.5]}') as Metadata));
    expect((await inspectBackup(path)).typedNumbers).toBe(false);
    const [record] = await readAll(path, 'docs');
    expect(record!.metadata).toEqual({ f: 2, big: 1234567890123456800n, e: new WholeFloat(1e21), l: [1, 2.5] });
    // Import writes what was read; verify reads the target's answer typed: the two agree.
    const onTarget = parseTyped(stringifyTyped(record!.metadata)) as Metadata;
    expect(compareMetadata(onTarget, record!.metadata).differences).toEqual([]);
  });

  it('a partial one is not resumed with version-2 lines, and the error says how to start over', async () => {
    const path = join(dir, 'v1.jsonl.partial');
    const text = v1File({ n: 1 }, false);
    await writeFile(path, text);
    const error = await expectMigrateError(BackupWriter.open(path, { resumeAtBytes: Buffer.byteLength(text) }), 'BAD_STATE', /older chroma-migrate \(format version 1\)/);
    expect(error.fix).toBe(`Delete ${path} and run the same command again: the export then starts from the beginning.`);
  });
});

describe('format version 2 lines the typed reader refuses', () => {
  it('a key repeated in one metadata object is a clear BAD_BACKUP, not a crash', async () => {
    const path = join(dir, 'dup.jsonl');
    const text = [
      '{"format":"chroma-migrate-backup","version":2,"created_at":"2026-11-01T10:00:00.000Z","source":{}}',
      '{"type":"collection","name":"docs","metadata":null,"space":"l2","count":1,"dimension":null,"configuration":null,"schema":null}',
      '{"type":"record","id":"a","document":null,"uri":null,"embedding":null,"metadata":{"n":2.0,"n":3.0}}',
      '{"type":"end","name":"docs","count":1}',
      '{"type":"end-file","collections":1}',
    ].join('\n');
    await writeFile(path, text + '\n');
    await expectMigrateError(readAll(path, 'docs'), 'BAD_BACKUP', /line 3.*record "a": its metadata cannot be read with number types \(Duplicate key 'n'/);
  });
});
