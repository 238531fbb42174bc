/**
 * Inspects a Python JSON export in one streaming pass: works out the shape (row-wise
 * "records", column-wise "ids"/"documents"/..., or several "collections"), validates every
 * record or column item, and checks counts, dimensions and column lengths per collection.
 */
import { MigrateError } from '../../util/errors.js';
import { badBackup, notABackup } from '../bad-backup.js';
import { CollectionCheck } from '../../model/collection-check.js';
import { JsonScanner, type Decision, type Frame, type ScanHandler, type ValueKind } from './json-scanner.js';
import {
  COLUMNS,
  CONFIG_KEYS,
  DATE_KEYS,
  isColumn,
  METADATA_KEYS,
  NAME_KEYS,
  nameFromPath,
  rowField,
  setRowField,
  shapeOfKey,
  spaceOf,
  type Column,
  type Shape,
} from './keys.js';
import { documentSchema, embeddingSchema, explainIssues, idSchema, metadataSchema, rowSchema, uriSchema } from '../schemas.js';
import type { BackupFormat, CollectionHeader, CollectionJson, Metadata } from '../../model/record.js';
import { withoutSecrets } from '../secrets.js';
import { isObject } from '../../collection/shape.js';
import type * as z from 'zod/mini';
import { inQuotes } from '../../util/format.js';

const COLUMN_SCHEMAS: Record<Column, z.ZodMiniType> = {
  ids: idSchema,
  documents: documentSchema,
  metadatas: metadataSchema,
  embeddings: embeddingSchema,
  uris: uriSchema,
};

/** One collection object being read: the top-level object, or an item of "collections". */
interface Pending {
  /** null for the top-level object, else its index in "collections". */
  index: number | null;
  name: string | null;
  metadata: Metadata | null;
  configuration: unknown;
  shape: Shape | null;
  check: CollectionCheck;
  /** Item counts of the columns found; null when the column is present as null. */
  lengths: Partial<Record<Column, number | null>>;
}

/**
 * Thrown when an error must name a record's id but only its position is known (column-wise
 * files keep ids in another array); the caller looks the id up and builds the real error.
 */
export class NeedsId extends Error {
  constructor(
    readonly collection: number | null,
    readonly position: number,
    readonly build: (id: string | null) => MigrateError,
  ) {
    super('needs an id');
  }
}

export class PythonInspector implements ScanHandler {
  readonly collections: CollectionHeader[] = [];
  readonly suspects = new Map<string, Set<string>>();
  /** Per collection name: where its data sits, for follow-up passes. */
  readonly places = new Map<string, { collection: number | null; shape: Shape }>();
  createdAt: string | null = null;
  private multi = false;
  private root: Pending | null = null;
  private current: Pending | null = null;
  /** The collection object a {"collection": {...}} being read belongs to. */
  private infoOf: Pending | null = null;
  /** The row being read key by key, and where it started (errors name that byte). */
  private row: Record<string, unknown> = {};
  private rowStart = 0;
  readonly scanner: JsonScanner;

  constructor(
    private readonly path: string,
    private readonly label: string,
  ) {
    this.scanner = new JsonScanner(this, label);
  }

  get format(): BackupFormat {
    return this.multi ? 'python-multi' : this.root?.shape === 'columns' ? 'python-columns' : 'python-rows';
  }

  get done(): boolean {
    return this.scanner.done;
  }

  write(chunk: Buffer): void {
    this.scanner.write(chunk);
  }

  end(): void {
    this.scanner.end();
  }

  private fail(offset: number, message: string): MigrateError {
    return badBackup(`${this.label} near byte ${offset} in ${this.scanner.where()}: ${message}`);
  }

  decide(parent: Frame | undefined, kind: ValueKind, offset: number): Decision {
    if (parent === undefined) {
      if (kind !== 'object') throw notABackup(this.label, `the top-level JSON value is ${kind === 'array' ? 'an array' : 'not an object'}`);
      this.root = this.pending(null);
      return { descend: 'root' };
    }
    const { tag, key } = parent;
    if (tag === 'root' || tag === 'coll') {
      const target = (tag === 'root' ? this.root : this.current)!;
      if (tag === 'root' && key === 'collections') {
        if (this.root!.shape !== null) throw this.fail(offset, `expected one layout, but the file has both "collections" and ${this.root!.shape === 'rows' ? '"records"' : 'columns'}`);
        if (kind !== 'array') throw this.fail(offset, 'expected "collections" to be a list of collection objects');
        this.multi = true;
        return { descend: 'colls' };
      }
      const shape = shapeOfKey(key);
      if (shape !== null) {
        if (tag === 'root' && this.multi) throw this.fail(offset, `expected one layout, but the file has both "collections" and ${inQuotes(String(key))}`);
        if (target.shape !== null && target.shape !== shape) throw this.fail(offset, 'expected one layout, but this collection has both "records" and columns ("ids", ...)');
        target.shape = shape;
        if (kind === 'array') return { descend: key === 'records' ? 'rows' : key! };
        if (key === 'records') throw this.fail(offset, 'expected "records" to be a list of records');
        return 'capture'; // a column may be null; value() checks
      }
      // {"collection": {"name": ..., "metadata": ...}}, a shape some exporters use: read its keys
      // one by one, so that its metadata too is typed.
      if (key === 'collection' && kind === 'object') {
        // Only the object that holds the records (the top level, or an item of "collections").
        if (tag === 'root' && this.multi) return 'skip';
        this.infoOf = target;
        return { descend: 'collection-info' };
      }
      // Collection metadata is typed like a record's (2.0 stays a float); configuration is read plain.
      if (key !== null && METADATA_KEYS.has(key)) return 'capture-typed';
      if (key !== null && (NAME_KEYS.has(key) || DATE_KEYS.has(key) || CONFIG_KEYS.has(key))) return 'capture';
      return 'skip';
    }
    if (tag === 'collection-info') {
      if (key === 'name') return 'capture';
      if (key !== null && METADATA_KEYS.has(key)) return 'capture-typed';
      if (key !== null && CONFIG_KEYS.has(key)) return 'capture';
      return 'skip';
    }
    if (tag === 'colls') {
      if (kind !== 'object') throw this.fail(offset, 'expected a collection object');
      this.current = this.pending(parent.index);
      return { descend: 'coll' };
    }
    // A row is read key by key and metadata typed, as the reader reads them (python-array.ts): a
    // metadata the typed reader refuses (a repeated key beside a 2.0) is refused here, before an
    // import writes anything, not halfway through it.
    if (tag === 'rows' && kind === 'object') {
      this.rowStart = offset;
      return { descend: 'row' };
    }
    if (tag === 'row') return rowField(key);
    if (tag === 'metadatas') return 'capture-typed';
    return 'capture'; // an item of "records" or of a column
  }

  value(parent: Frame | undefined, value: unknown, offset: number): void {
    if (parent === undefined) return;
    const { tag, key } = parent;
    if (tag === 'rows') return this.onRow(value, offset);
    if (tag === 'row') {
      setRowField(this.row, key!, value);
      return;
    }
    if (isColumn(tag)) return this.onColumnItem(tag, parent.index, value, offset);
    if (tag === 'collection-info') return this.onInfo(parent.key, value, offset);
    const target = (tag === 'root' ? this.root : this.current)!;
    if (key === null) return;
    if (isColumn(key)) {
      if (value !== null) throw this.fail(offset, `expected ${inQuotes(key)} to be a list or null`);
      target.lengths[key] = null;
    } else if (NAME_KEYS.has(key)) {
      this.onName(target, key, value, offset);
    } else if (DATE_KEYS.has(key)) {
      if (typeof value === 'string' && tag === 'root') this.createdAt ??= value;
    } else if (METADATA_KEYS.has(key)) {
      target.metadata = this.metadataOf(value, offset);
    } else if (CONFIG_KEYS.has(key)) {
      target.configuration = typeof value === 'string' ? parseQuietly(value) : value;
    }
  }

  close(frame: Frame, offset: number): void {
    const { tag } = frame;
    if (tag === 'row') {
      const row = this.row;
      this.row = {};
      this.onRow(row, this.rowStart);
    } else if (isColumn(tag)) {
      const target = (this.multi ? this.current : this.root)!;
      target.lengths[tag] = frame.index;
    } else if (tag === 'coll') {
      this.finish(this.current!, offset);
      this.current = null;
    } else if (tag === 'root' && !this.multi) {
      if (this.root!.shape === null) throw notABackup(this.label, 'the JSON object has no "records", "ids" or "collections"');
      this.finish(this.root!, offset);
    }
  }

  private pending(index: number | null): Pending {
    const placeholder = index === null ? nameFromPath(this.path) : `collections[${index}]`;
    return { index, name: null, metadata: null, configuration: undefined, shape: null, check: new CollectionCheck(placeholder), lengths: {} };
  }

  /** A key of {"collection": {...}}: its name, typed metadata and configuration. */
  private onInfo(key: string | null, value: unknown, offset: number): void {
    const target = this.infoOf!;
    // As onName and python-locate rule: the first name stands, unless "collection_name" says otherwise.
    if (key === 'name' && typeof value === 'string' && value !== '') {
      if (target.name === null) this.setName(target, value);
    }
    else if (key !== null && METADATA_KEYS.has(key)) target.metadata = this.metadataOf(value, offset);
    else if (key !== null && CONFIG_KEYS.has(key)) target.configuration ??= typeof value === 'string' ? parseQuietly(value) : value;
  }

  private onName(target: Pending, key: string, value: unknown, offset: number): void {
    if (typeof value !== 'string' || value === '') throw this.fail(offset, `expected ${inQuotes(key)} to be the collection's name (a non-empty string)`);
    // "collection_name" wins over a generic "name" when a file has both.
    if (target.name === null || key === 'collection_name') this.setName(target, value);
  }

  private setName(target: Pending, name: string): void {
    target.name = name;
    target.check.name = name;
  }

  private metadataOf(value: unknown, offset: number): Metadata | null {
    const result = metadataSchema.safeParse(value);
    if (!result.success) throw this.fail(offset, `collection ${explainIssues(result.error, value, 'metadata')}`);
    return result.data;
  }

  private onRow(value: unknown, offset: number): void {
    const result = rowSchema.safeParse(value);
    if (!result.success) {
      const id = (value as { id?: unknown } | null)?.id;
      const about = typeof id === 'string' && id !== '' ? ` (id ${inQuotes(id)})` : '';
      const why = explainIssues(result.error, value);
      throw this.fail(offset, /^(must|is) /.test(why) ? `the record${about} ${why}` : `record${about}: ${why}`);
    }
    const row = result.data;
    const target = (this.multi ? this.current : this.root)!;
    const problem = target.check.add(row.id, row.embedding?.length ?? null);
    if (problem) throw this.fail(offset, problem);
    target.check.addMetadata(row.metadata ?? null);
  }

  private onColumnItem(column: Column, position: number, value: unknown, offset: number): void {
    const result = COLUMN_SCHEMAS[column].safeParse(value);
    if (!result.success) {
      const why = explainIssues(result.error, value);
      throw this.fail(offset, /^(must|is) /.test(why) ? `the item ${why}` : why);
    }
    const target = (this.multi ? this.current : this.root)!;
    if (column === 'ids') target.check.addId(value as string);
    else if (column === 'metadatas') target.check.addMetadata(value as Metadata | null);
    else if (column === 'embeddings' && value !== null) {
      const length = (value as unknown[]).length;
      if (target.check.addEmbedding(null, length) !== null) {
        const where = `${this.label} near byte ${offset} in ${this.scanner.where()}`;
        const check = target.check;
        throw new NeedsId(target.index, position, (id) =>
          badBackup(`${where}: ${id === null ? `embedding #${position}` : `record ${inQuotes(id)}`} has ${length} numbers, but earlier embeddings in collection ${inQuotes(check.name)} have ${check.dimension} (mixed dimensions)`),
        );
      }
    }
  }

  private finish(p: Pending, offset: number): void {
    const where = p.index === null ? this.label : `${this.label} collections[${p.index}]`;
    if (p.shape === null) throw badBackup(`${where} (ending near byte ${offset}): expected "records" or "ids" in the collection object, found neither`);
    if (p.name === null && p.index !== null) throw badBackup(`${where} (ending near byte ${offset}): the collection has no "name"`);
    const name = p.name ?? nameFromPath(this.path);
    let count = p.check.count;
    if (p.shape === 'columns') count = this.checkColumns(p, where, offset);
    if (this.places.has(name)) throw badBackup(`${where}: collection ${inQuotes(name)} appears twice in the file`);
    this.places.set(name, { collection: p.index, shape: p.shape });
    this.collections.push({
      name,
      metadata: p.metadata,
      space: spaceOf(p.metadata, p.configuration),
      ...(isObject(p.configuration) ? { configuration: withoutSecrets(p.configuration) as CollectionJson } : {}),
      count,
      ...p.check.summary(),
    });
    if (p.check.suspects.size > 0) this.suspects.set(name, p.check.suspects);
  }

  /** Every present column must have as many items as "ids". */
  private checkColumns(p: Pending, where: string, offset: number): number {
    const ids = p.lengths.ids;
    if (ids === undefined || ids === null) throw badBackup(`${where} (ending near byte ${offset}): column-wise data needs an "ids" list`);
    for (const column of COLUMNS) {
      const length = p.lengths[column];
      if (length === undefined || length === null || length === ids) continue;
      throw badBackup(`${where} (ending near byte ${offset}): "${column}" has ${length} items but "ids" has ${ids}; every column must have one item per id`);
    }
    return ids;
  }
}

function parseQuietly(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
