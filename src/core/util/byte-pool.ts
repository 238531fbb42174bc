/**
 * Large byte buffers handed out again and again instead of allocated per use.
 *
 * Why: a copy receives every record twice (its page from the source, its read-back from the
 * target), ~9 MB of answers per 1,000 384-d records, each answer joined into a fresh buffer of
 * 1–5 MB. Fresh memory costs the kernel a page fault per 4 KB on first touch, and V8 counts
 * every such buffer as external memory: in a profiled copy most garbage collections (13 of 45
 * scavenges, all 15 mark-compacts) were started by external memory, not by the JS heap, whose
 * live size stayed under 40 MB. A buffer given back is written over by the next use, so only
 * what never keeps a view of the bytes past its own use may take one.
 */
export class BytePool {
  private readonly free: Buffer[] = [];

  constructor(
    /** Sizes below this are cheap to allocate (Node's own slab serves them): not pooled. */
    readonly minBytes: number,
    /** Sizes above this are rare: allocated and dropped, never kept. */
    readonly maxBytes: number,
    /** Buffers kept for reuse at most (the rest are dropped to the garbage collector). */
    private readonly keep: number,
  ) {}

  /** Whether a use of `size` bytes goes through the pool. */
  fits(size: number): boolean {
    return size >= this.minBytes && size <= this.maxBytes;
  }

  /** A buffer of at least `size` bytes whose contents are undefined; give it back when done. */
  take(size: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const candidate = this.free[i]!;
      if (candidate.length >= size && (best === -1 || candidate.length < this.free[best]!.length)) best = i;
    }
    if (best !== -1) return this.free.splice(best, 1)[0]!;
    // Slow: a buffer of its own, never a slice of Node's shared slab that others write into.
    return Buffer.allocUnsafeSlow(size);
  }

  /** Back for reuse: nothing may read or write `buffer` (or a view of it) after this. */
  give(buffer: Buffer): void {
    if (buffer.length > this.maxBytes) return;
    this.free.push(buffer);
    if (this.free.length > this.keep) {
      // Keep the largest: they serve every size below them.
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) if (this.free[i]!.length < this.free[smallest]!.length) smallest = i;
      this.free.splice(smallest, 1);
    }
  }
}
