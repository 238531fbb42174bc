/**
 * Duplicate-id detection with near-flat memory: instead of keeping every id string (~60-100 B
 * each), keep a 53-bit hash in an open-addressing Float64Array (~12-23 B per id). A hit is only
 * a *candidate*: the caller confirms it with a second pass over the ids, so a hash collision
 * can never reject a good backup.
 */

/** cyrb53 (public domain): fast, well-mixed 53-bit string hash. */
function hash53(s: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export class IdHashSet {
  private table = new Float64Array(1024);
  private used = 0;

  /** Adds the id; returns false when an id with the same hash was already added. */
  add(id: string): boolean {
    // 0 marks an empty slot, so shift every real hash to be ≥ 1.
    const h = hash53(id) + 1;
    if (this.used * 10 >= this.table.length * 7) this.grow();
    const fresh = insert(this.table, h);
    if (fresh) this.used++;
    return fresh;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    for (const h of old) if (h !== 0) insert(this.table, h);
  }
}

function insert(table: Float64Array, h: number): boolean {
  // The table length is a power of two and h an integer, so the remainder is a valid slot.
  const mask = table.length - 1;
  let slot = h % table.length;
  for (;;) {
    const v = table[slot]!;
    if (v === 0) {
      table[slot] = h;
      return true;
    }
    if (v === h) return false;
    slot = (slot + 1) & mask;
  }
}
