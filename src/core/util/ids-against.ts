/**
 * A listing of ids taken against a set of ids held already (a collection's ids in its export
 * file): an id the set holds is marked by its index there, one byte each; only the ids the set
 * lacks are kept, in a compact set of their own. At the end of a copy the source's listing and
 * the target's are both taken so against the file's ids, which the export holds anyway: at a
 * million ids that is the file's set and two megabytes of marks, where a compact set of each
 * side cost another ~35–55 MB apiece. Nothing is assumed about how the sides relate: every id
 * listed is either marked (found, by its bytes, in the set) or kept, so two such listings can
 * be compared exactly, both ways (id-sets.ts).
 */
import { CompactIdSet } from './compact-ids.js';

export class IdsAgainst {
  /** 1 where the listing holds the index's id at that position. */
  private marks: Uint8Array;
  private marked = 0;
  private kept = new CompactIdSet();

  /** `index` may grow while the listing is taken (records added to the file): its new ids are marked too. */
  constructor(readonly index: CompactIdSet) {
    this.marks = new Uint8Array(index.size);
  }

  /** The listing of exactly the index's ids (the reference a listing against it is compared with). */
  static whole(index: CompactIdSet): IdsAgainst {
    const listed = new IdsAgainst(index);
    listed.marks.fill(1);
    listed.marked = index.size;
    return listed;
  }

  /** Different ids listed: those marked and those kept. */
  get size(): number {
    return this.marked + this.kept.size;
  }

  /** Ids listed that the index lacks, each once, in the order listed. */
  get outside(): CompactIdSet {
    return this.kept;
  }

  add(id: string): void {
    const at = this.index.indexOf(id);
    if (at < 0) {
      this.kept.add(id);
      return;
    }
    this.mark(at);
  }

  /** The listing holds the index's id at `index`. */
  has(index: number): boolean {
    return index < this.marks.length && this.marks[index] === 1;
  }

  /**
   * Ids kept because the index lacked them, marked instead now that it holds them (records read
   * by id and added to the file after this listing): every id listed is then in exactly one place
   * for any listing against the same index, and two listings compare id for id.
   */
  absorb(): void {
    let now = 0;
    for (let at = 0; at < this.kept.size; at++) if (this.index.indexOfIdIn(this.kept, at) >= 0) now++;
    if (now === 0) return;
    const kept = this.kept;
    this.kept = new CompactIdSet();
    for (let at = 0; at < kept.size; at++) {
      const found = this.index.indexOfIdIn(kept, at);
      if (found >= 0) this.mark(found);
      else this.kept.add(kept.idAt(at));
    }
  }

  private mark(at: number): void {
    if (at >= this.marks.length) {
      const more = new Uint8Array(Math.max(this.index.size, at + 1));
      more.set(this.marks);
      this.marks = more;
    }
    if (this.marks[at] === 1) return;
    this.marks[at] = 1;
    this.marked++;
  }
}
