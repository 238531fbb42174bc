/**
 * Before reading records from a Python export, find where the wanted collection's data is:
 * the top-level object (rows or columns) or collections[n]. Stops as soon as it knows, so for
 * single-collection files this reads only up to the first data key.
 */
import { MigrateError } from '../../util/errors.js';
import { notABackup } from '../bad-backup.js';
import { consume } from '../drive.js';
import { JsonScanner, type Decision, type Frame, type ScanHandler, type ValueKind } from './json-scanner.js';
import { isColumn, NAME_KEYS, shapeOfKey, type Column, type Shape } from './keys.js';
import type { ByteSource } from '../byte-source.js';
import { inQuotes } from '../../util/format.js';

export interface Place {
  collection: number | null;
  shape: Shape;
  /**
   * Column-wise data: where each column's array starts in the (decompressed) text, null for a
   * column that is null; a column not in the file is not listed. Lets each column be read from
   * its own start, side by side, instead of every reader walking the file up to its column.
   */
  columns?: Partial<Record<Column, number | null>>;
}

class Locator implements ScanHandler {
  place: Place | null = null;
  /** Name found in the top-level object before its data, if any. */
  rootName: string | null = null;
  readonly names: string[] = [];
  private current: { index: number; name: string | null; shape: Shape | null; columns: Partial<Record<Column, number | null>> } | null = null;
  readonly scanner: JsonScanner;

  constructor(
    private readonly label: string,
    private readonly wanted: string,
  ) {
    this.scanner = new JsonScanner(this, label);
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

  decide(parent: Frame | undefined, kind: ValueKind, offset: number): Decision {
    if (parent === undefined) {
      if (kind !== 'object') throw notABackup(this.label, 'the top-level JSON value is not an object');
      return { descend: 'root' };
    }
    const { tag, key } = parent;
    const isName = key !== null && NAME_KEYS.has(key);
    if (tag === 'root') {
      if (key === 'collections' && kind === 'array') return { descend: 'colls' };
      const shape = shapeOfKey(key);
      if (shape === 'rows' && this.place === null) {
        this.place = { collection: null, shape };
        this.scanner.stop();
        return 'skip';
      }
      if (shape === 'columns') {
        // Keep walking the top-level object: every column's start is wanted.
        this.place ??= { collection: null, shape, columns: {} };
        if (this.place.shape === 'columns' && key !== null && isColumn(key)) this.place.columns![key] = kind === 'array' ? offset : null;
        return 'skip';
      }
      return isName ? 'capture' : 'skip';
    }
    if (tag === 'colls') {
      if (kind !== 'object') return 'skip';
      this.current = { index: parent.index, name: null, shape: null, columns: {} };
      return { descend: 'coll' };
    }
    if (tag === 'coll') {
      this.current!.shape ??= shapeOfKey(key);
      if (key !== null && isColumn(key)) this.current!.columns[key] = kind === 'array' ? offset : null;
      return isName ? 'capture' : 'skip';
    }
    return 'skip';
  }

  value(parent: Frame | undefined, value: unknown): void {
    const name = typeof value === 'string' ? value : (value as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    // The first name stands, unless "collection_name" says otherwise (as inspect rules).
    if (parent?.tag === 'root' && (this.rootName === null || parent.key === 'collection_name')) this.rootName = name;
    else if (parent?.tag === 'coll' && (this.current!.name === null || parent.key === 'collection_name')) this.current!.name = name;
  }

  close(frame: Frame): void {
    if (frame.tag === 'coll') {
      const { index, name, shape, columns } = this.current!;
      if (name !== null) this.names.push(name);
      if (name === this.wanted && shape !== null) {
        this.place = { collection: index, shape, ...(shape === 'columns' ? { columns } : {}) };
        this.scanner.stop();
      }
      this.current = null;
    } else if (frame.tag === 'root') {
      this.scanner.stop();
    }
  }
}

export async function locateCollection(source: ByteSource, name: string): Promise<Place> {
  const locator = new Locator(source.label, name);
  await consume(source, locator);
  const place = locator.place;
  // A single-collection file that names itself before its data can be checked now; one that
  // names itself later (or not at all) is trusted: inspect reported that name.
  const wrongSingle = place?.collection === null && locator.rootName !== null && locator.rootName !== name;
  if (place === null || wrongSingle) {
    const names = wrongSingle ? [locator.rootName!] : locator.names;
    throw new MigrateError(
      'NOT_FOUND',
      `Collection ${inQuotes(name)} is not in the backup ${source.label}${names.length > 0 ? ` (it holds: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''})` : ''}`,
      'Pick one of the collections the backup holds.',
    );
  }
  return place;
}
