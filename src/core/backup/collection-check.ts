/**
 * What inspect verifies per collection while records stream past: one embedding dimension,
 * no repeated ids, and the count. Ids are kept only as hashes (see id-set.ts); a repeated hash
 * is recorded as a suspect for a confirming second pass.
 */
import { IdHashSet } from './id-set.js';
import type { CollectionHeader } from './types.js';

/** Beyond this many suspects the file is plainly full of duplicates; stop collecting. */
const MAX_SUSPECTS = 10_000;

export class CollectionCheck {
  count = 0;
  /** Records that carry an embedding (a Chroma server stores none without one). */
  private withEmbedding = 0;
  dimension: number | null = null;
  readonly suspects = new Set<string>();
  private readonly ids = new IdHashSet();

  constructor(
    /** Named in messages; Python exports may reveal the name only after the records. */
    public name: string,
    /** Dimension the file declares (own format header), checked against every record. */
    private readonly declared: number | null = null,
  ) {}

  /** Records one id; returns a sentence when its embedding's length breaks the collection's dimension. */
  add(id: string, embeddingLength: number | null): string | null {
    this.count++;
    if (!this.ids.add(id) && this.suspects.size < MAX_SUSPECTS) this.suspects.add(id);
    return embeddingLength === null ? null : this.addEmbedding(id, embeddingLength);
  }

  /** Counts one embedding; returns a sentence when its length breaks the collection's dimension. */
  addEmbedding(id: string | null, length: number): string | null {
    this.withEmbedding++;
    return this.checkDimension(id, length);
  }

  /** What inspect reports of the collection: its dimension, and how many records lack an embedding, if any. */
  summary(): Pick<CollectionHeader, 'dimension' | 'withoutEmbedding'> {
    const missing = this.count - this.withEmbedding;
    return { dimension: this.dimension, ...(missing > 0 ? { withoutEmbedding: missing } : {}) };
  }

  /** For column-wise files, where ids and embeddings arrive in different arrays. */
  addId(id: string): void {
    this.count++;
    if (!this.ids.add(id) && this.suspects.size < MAX_SUSPECTS) this.suspects.add(id);
  }

  checkDimension(id: string | null, length: number): string | null {
    const who = id === null ? 'an embedding' : `record "${id}"`;
    if (this.declared !== null && length !== this.declared) {
      return `${who} has ${length} numbers, but collection "${this.name}" declares dimension ${this.declared}`;
    }
    if (this.dimension === null) this.dimension = length;
    else if (length !== this.dimension) {
      return `${who} has ${length} numbers, but earlier embeddings in collection "${this.name}" have ${this.dimension} (mixed dimensions)`;
    }
    return null;
  }
}
