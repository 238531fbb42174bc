/**
 * Streams the items of one array in a Python JSON export — "records", or one column such as
 * "ids" — of the top-level object or of collections[n]. Everything else is skipped without
 * being parsed, and reading stops when the array closes. Items before `skip` are skipped too.
 */
import { badBackup, notABackup } from '../bad-backup.js';
import { drive } from '../drive.js';
import { JsonScanner, type Decision, type Frame, type ScanHandler, type ValueKind } from './json-scanner.js';
import { NAME_KEYS, rowField, setRowField, type Column } from './keys.js';
import type { ByteSource } from '../byte-source.js';
import { inQuotes } from '../../util/format.js';

export interface ArrayTarget {
  /** null: the data sits in the top-level object; n: in collections[n]. */
  collection: number | null;
  key: 'records' | Column;
  skip: number;
  /**
   * Where the array starts in the text (python-locate found it): read from there, the array being
   * the whole input, instead of walking the document from its start to find it.
   */
  at?: number;
}

export class ArrayPicker implements ScanHandler {
  out: unknown[] = [];
  /** The row being read key by key ("records" items). */
  private row: Record<string, unknown> = {};
  /** The key was found (as an array or as null). */
  present = false;
  /** The key holds null rather than a list (collection.get() leaves unrequested fields null). */
  isNull = false;
  /** Items in the array, skipped ones included (known once it closed). */
  length = 0;
  /** A name key seen in the same object before the data ("collection_name": ...). */
  nameBeforeData: string | null = null;
  readonly scanner: JsonScanner;

  constructor(
    private readonly target: ArrayTarget,
    readonly label: string,
  ) {
    this.scanner = new JsonScanner(this, label);
  }

  get done(): boolean {
    return this.scanner.done;
  }

  decide(parent: Frame | undefined, kind: ValueKind): Decision {
    if (parent === undefined) {
      if (this.target.at !== undefined) {
        if (kind !== 'array') throw badBackup(`${this.label} near byte ${this.target.at}: expected "${this.target.key}" to start here (has the file changed since it was checked?)`);
        this.present = true;
        return { descend: 'items' };
      }
      if (kind !== 'object') throw notABackup(this.label, 'the top-level JSON value is not an object');
      return { descend: 'root' };
    }
    const { tag, key } = parent;
    if (tag === 'items') {
      if (parent.index < this.target.skip) return 'skip';
      if (this.target.key === 'metadatas') return 'capture-typed';
      // A row is read key by key, so that its metadata alone is parsed with number types.
      return this.target.key === 'records' && kind === 'object' ? { descend: 'row' } : 'capture';
    }
    if (tag === 'row') return rowField(key);
    if (tag === 'colls') return parent.index === this.target.collection && kind === 'object' ? { descend: 'coll' } : 'skip';
    const holder = this.target.collection === null ? tag === 'root' : tag === 'coll';
    if (!holder) return tag === 'root' && key === 'collections' && kind === 'array' ? { descend: 'colls' } : 'skip';
    if (key === this.target.key) {
      this.present = true;
      if (kind === 'array') return { descend: 'items' };
      return 'capture'; // must be null: checked in value()
    }
    if (key !== null && NAME_KEYS.has(key) && !this.present) return 'capture';
    return 'skip';
  }

  value(parent: Frame | undefined, value: unknown, offset: number): void {
    if (parent?.tag === 'row') {
      setRowField(this.row, parent.key!, value);
      return;
    }
    if (parent?.tag === 'items') {
      this.out.push(value);
      return;
    }
    const key = parent?.key ?? null;
    if (key === this.target.key) {
      if (value !== null) throw badBackup(`${this.label} near byte ${offset}: expected ${inQuotes(key)} to be a list or null`);
      this.isNull = true;
      this.scanner.stop(); // a null column: every item is null
      return;
    }
    if (typeof value === 'string') this.nameBeforeData ??= value;
    else if (value !== null && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') {
      this.nameBeforeData ??= (value as { name: string }).name;
    }
  }

  close(frame: Frame): void {
    if (frame.tag === 'row') {
      this.out.push(this.row);
      this.row = {};
    } else if (frame.tag === 'items') {
      this.length = frame.index;
      this.scanner.stop();
    } else if (frame.tag === 'coll' || frame.tag === 'root') {
      // The object holding the data ended without it.
      this.scanner.stop();
    }
  }

  write(chunk: Buffer): void {
    this.scanner.write(chunk);
  }

  end(): void {
    this.scanner.end();
  }

  take(): unknown[] {
    const items = this.out;
    this.out = [];
    return items;
  }
}

/** The picker exposes its state (present, length) once the iteration ends. */
export function streamArray(source: ByteSource, target: ArrayTarget): { picker: ArrayPicker; items: AsyncGenerator<unknown[]> } {
  const picker = new ArrayPicker(target, source.gzip ? `${source.label} (uncompressed)` : source.label);
  if (target.at !== undefined) picker.scanner.startAt(target.at);
  return { picker, items: drive(source, picker, () => picker.take(), target.at ?? 0) };
}

/** One item of an array, e.g. ids[523] to name the record an error is about. */
export async function itemAt(source: ByteSource, target: Omit<ArrayTarget, 'skip'>, index: number): Promise<unknown> {
  const { items } = streamArray(source, { ...target, skip: index });
  for await (const batch of items) return batch[0];
  return undefined;
}
