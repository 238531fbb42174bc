/**
 * Reads a column-wise export (collection.get() shape) with flat memory: one streaming reader per
 * column over the same file, zipped item by item. Loading a column would hold the whole
 * collection's embeddings at once; this holds about one batch per column.
 *
 * Each reader starts where its column starts (python-locate found the places; for .gz each
 * reader has its own decompressor and drops what comes before). Before, each reader walked the
 * file from its start to its column: in the order Python writes `collection.get()` (ids,
 * embeddings, documents, ..., metadatas) the documents and metadatas readers walked the whole
 * embeddings column before their first item, and a reader for a column the file lacks (uris)
 * walked the whole file.
 */
import { badBackup } from '../bad-backup.js';
import { streamArray } from './array.js';
import type { Place } from './locate.js';
import { COLUMNS, type Column } from './keys.js';
import { documentSchema, embeddingSchema, explainIssues, idSchema, metadataSchema, toFloat32, uriSchema } from '../schemas.js';
import type { ByteSource } from '../byte-source.js';
import type { BackupRecord, Metadata } from '../../model/record.js';
import type * as z from 'zod/mini';
import { inQuotes } from '../../util/format.js';

interface ColumnStream {
  column: Column;
  /** Whether the column is in the file as a list (not missing, not null): known once read. */
  isList: () => boolean;
  items: AsyncGenerator<unknown[]> | null;
  buffer: unknown[];
  ended: boolean;
}

const SCHEMAS: Record<Column, z.ZodMiniType> = {
  ids: idSchema,
  documents: documentSchema,
  metadatas: metadataSchema,
  embeddings: embeddingSchema,
  uris: uriSchema,
};

export async function* readColumns(source: ByteSource, place: Place, skip: number, batchSize: number): AsyncGenerator<BackupRecord[]> {
  const label = source.label;
  const { collection } = place;
  const prefix = collection === null ? '' : `collections[${collection}].`;
  const streams: ColumnStream[] = COLUMNS.map((column) => {
    const at = place.columns?.[column];
    if (place.columns && (at === undefined || at === null)) return { column, isList: () => false, items: null, buffer: [], ended: true };
    const { picker, items } = streamArray(source, { collection, key: column, skip, ...(typeof at === 'number' ? { at } : {}) });
    return { column, isList: () => picker.present && !picker.isNull, items, buffer: [], ended: false };
  });
  const [ids, documents, metadatas, embeddings, uris] = streams as [ColumnStream, ColumnStream, ColumnStream, ColumnStream, ColumnStream];
  // A column that is missing or null means null for every record.
  const absent = (s: ColumnStream): boolean => s.ended && s.buffer.length === 0 && !s.isList();
  let position = skip;
  let dimension: number | null = null;
  try {
    for (;;) {
      // Read the columns side by side: their passes overlap on disk, gunzip and CPU.
      await Promise.all(streams.map((s) => fill(s, batchSize)));
      const n = Math.min(batchSize, ids.buffer.length);
      if (n === 0 && absent(ids)) throw badBackup(`${label}: column-wise data needs an "${prefix}ids" list`);
      for (const s of streams) {
        if (s === ids || absent(s)) continue;
        // fill() guarantees a column that has not ended holds at least a batch.
        const shorter = n > 0 && s.buffer.length < n;
        const longer = n === 0 && s.buffer.length > 0;
        if (shorter || longer) {
          throw badBackup(
            `${label}: "${prefix}${s.column}" has ${shorter ? 'fewer' : 'more'} items than "${prefix}ids" (${shorter ? `it ends at item ${position + s.buffer.length}` : `ids end at item ${position}`}); every column must have one item per id`,
          );
        }
      }
      if (n === 0) return;
      const take = (s: ColumnStream): unknown[] | null => (absent(s) ? null : s.buffer.splice(0, n));
      const cols = { ids: take(ids)!, documents: take(documents), metadatas: take(metadatas), embeddings: take(embeddings), uris: take(uris) };
      const records: BackupRecord[] = [];
      for (let i = 0; i < n; i++, position++) {
        const item = <T>(column: Column): T => {
          const value = (cols[column] as unknown[] | null)?.[i] ?? null;
          const result = SCHEMAS[column].safeParse(value);
          if (!result.success) throw badBackup(`${label} ${prefix}${column}[${position}]: the item ${explainIssues(result.error, value)}`);
          return result.data as T;
        };
        const record: BackupRecord = {
          id: item<string>('ids'),
          document: item<string | null>('documents'),
          metadata: item<Metadata | null>('metadatas'),
          embedding: toFloat32(item<number[] | null>('embeddings')),
          uri: item<string | null>('uris'),
        };
        const length = record.embedding?.length;
        if (length !== undefined) {
          if (dimension !== null && length !== dimension) {
            throw badBackup(`${label} ${prefix}embeddings[${position}]: record ${inQuotes(record.id)} has ${length} numbers, but earlier embeddings have ${dimension} (mixed dimensions)`);
          }
          dimension = length;
        }
        records.push(record);
      }
      yield records;
    }
  } finally {
    await Promise.allSettled(streams.map((s) => s.items?.return(undefined)));
  }
}

async function fill(s: ColumnStream, want: number): Promise<void> {
  while (!s.ended && s.items !== null && s.buffer.length < want) {
    const next = await s.items.next();
    if (next.done) s.ended = true;
    else for (const item of next.value) s.buffer.push(item);
  }
}
