/**
 * A set of ids held compactly, for checks over a million of them: their UTF-8 bytes side by side
 * in one buffer, where each id starts, and an open-addressing table of their indexes. An id costs
 * its bytes plus ~12 bytes; as JavaScript strings in an array and a Set, one costs ~100 bytes, and
 * a copy's closing check held two of each at once (295 MB of the process at 1M records).
 * Membership is exact: a hash only picks the slot, the bytes decide.
 */
export class CompactIdSet {
  private bytes: Buffer;
  private used = 0;
  /** Where id i starts in `bytes`; id i ends where id i + 1 starts (`used` for the last). */
  private starts: Uint32Array;
  private count = 0;
  /** Index + 1 of the id in each slot, 0 for an empty one; never more than half full. */
  private table: Int32Array;
  private scratch = Buffer.alloc(512);

  /** `expected`: about how many ids will be added (the collection's count), to size the parts once. */
  constructor(private readonly expected = 0) {
    const room = Math.max(16, expected);
    // Uninitialised: nothing past `used` is ever read, and untouched pages cost the process no memory.
    this.bytes = Buffer.allocUnsafeSlow(room * 16);
    this.starts = new Uint32Array(room + 1);
    this.table = new Int32Array(tableSizeFor(room));
  }

  get size(): number {
    return this.count;
  }

  /** Adds the id; false when the set held it already. */
  add(id: string): boolean {
    const length = this.encode(id);
    const slot = this.slotOf(this.scratch, 0, length);
    if (this.table[slot] !== 0) return false;
    if ((this.count + 1) * 2 > this.table.length) {
      this.grow();
      return this.add(id);
    }
    this.append(length);
    this.table[slot] = this.count;
    return true;
  }

  /** The id's index (in the order added), or -1. */
  indexOf(id: string): number {
    const length = this.encode(id);
    return this.table[this.slotOf(this.scratch, 0, length)]! - 1;
  }

  /** The index in this set of the other set's id at `index`, or -1: compared as bytes, never decoded. */
  indexOfIdIn(other: CompactIdSet, index: number): number {
    const [start, end] = other.span(index);
    return this.table[this.slotOf(other.bytes, start, end - start)]! - 1;
  }

  idAt(index: number): string {
    const [start, end] = this.span(index);
    return this.bytes.toString('utf8', start, end);
  }

  /** The ids from `start` up to `end` (not included), decoded: a page of them at a time, never all. */
  slice(start: number, end: number): string[] {
    const ids: string[] = [];
    for (let index = start; index < Math.min(end, this.count); index++) ids.push(this.idAt(index));
    return ids;
  }

  private span(index: number): [number, number] {
    return [this.starts[index]!, index + 1 < this.count ? this.starts[index + 1]! : this.used];
  }

  /** The id's UTF-8 bytes into the scratch buffer; their length. */
  private encode(id: string): number {
    if (id.length * 3 > this.scratch.length) this.scratch = Buffer.alloc(Math.max(id.length * 3, this.scratch.length * 2));
    return this.scratch.write(id, 0, 'utf8');
  }

  /** The slot holding these bytes, or the empty slot where they would go. */
  private slotOf(source: Buffer, start: number, length: number): number {
    const mask = this.table.length - 1;
    let slot = hashBytes(source, start, length) & mask;
    for (;;) {
      const entry = this.table[slot]!;
      if (entry === 0) return slot;
      const [at, end] = this.span(entry - 1);
      if (end - at === length && sameBytes(this.bytes, at, source, start, length)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private append(length: number): void {
    if (this.used + length > this.bytes.length) {
      // Room for the expected ids at their length so far (one copy, not doubling past need), else half as much again.
      const foreseen = Math.ceil(((this.used + length) / (this.count + 1)) * Math.max(this.expected, this.count + 1) * 1.05);
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.used + length, foreseen > this.bytes.length * 1.1 ? foreseen : Math.ceil(this.bytes.length * 1.5)));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    if (this.count + 1 > this.starts.length) {
      const more = new Uint32Array(this.starts.length * 2);
      more.set(this.starts);
      this.starts = more;
    }
    this.scratch.copy(this.bytes, this.used, 0, length);
    this.starts[this.count] = this.used;
    this.used += length;
    this.count++;
  }

  /** A table twice the size, every id placed again. */
  private grow(): void {
    this.table = new Int32Array(this.table.length * 2);
    const mask = this.table.length - 1;
    for (let index = 0; index < this.count; index++) {
      const [start, end] = this.span(index);
      let slot = hashBytes(this.bytes, start, end - start) & mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & mask;
      this.table[slot] = index + 1;
    }
  }
}

/** A power of two at least twice `count`: the table stays at most half full. */
function tableSizeFor(count: number): number {
  let size = 32;
  while (size < count * 2) size *= 2;
  return size;
}

/** FNV-1a over the bytes (32 bits): spreads ids that differ in one digit. */
function hashBytes(bytes: Buffer, start: number, length: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < start + length; index++) hash = Math.imul(hash ^ bytes[index]!, 0x01000193);
  return hash >>> 0;
}

function sameBytes(a: Buffer, aStart: number, b: Buffer, bStart: number, length: number): boolean {
  for (let index = 0; index < length; index++) if (a[aStart + index] !== b[bStart + index]) return false;
  return true;
}

/**
 * Some of a CompactIdSet's ids, by their index there (4 bytes an id, in the order added): the
 * ids a sync sends or found changed, without a second copy of a million of them.
 */
export class CompactIdSubset {
  private indexes = new Uint32Array(16);
  private count = 0;

  constructor(private readonly of: CompactIdSet) {}

  get size(): number {
    return this.count;
  }

  /** The id at `index` in the whole set joins the subset. */
  add(index: number): void {
    if (this.count === this.indexes.length) {
      const more = new Uint32Array(this.indexes.length * 2);
      more.set(this.indexes);
      this.indexes = more;
    }
    this.indexes[this.count++] = index;
  }

  /** The ids from `start` up to `end` (not included) of the subset, decoded: a page at a time. */
  slice(start: number, end: number): string[] {
    const ids: string[] = [];
    for (let at = start; at < Math.min(end, this.count); at++) ids.push(this.of.idAt(this.indexes[at]!));
    return ids;
  }
}
