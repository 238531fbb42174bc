/**
 * What inspect verifies per collection while records stream past: one embedding dimension,
 * no repeated ids, and the count. Ids are kept only as hashes (see id-set.ts); a repeated hash
 * is recorded as a suspect for a confirming second pass.
 */
import { isSparseVector } from './values.js';
import { IdHashSet } from '../util/id-set.js';
import type { CollectionHeader, Metadata } from './record.js';
import { inQuotes } from '../util/format.js';

/**
 * Per metadata key, how many records hold a list / a sparse vector there: what an older or
 * single-node target may not hold. Kept by inspect for a whole collection, and by a copy for
 * each page it is about to send.
 */
export class MetadataKinds {
  private readonly lists = new Map<string, number>();
  private readonly sparse = new Map<string, number>();

  add(metadata: Metadata | null): void {
    if (metadata === null) return;
    for (const key in metadata) {
      const value = metadata[key];
      if (Array.isArray(value)) this.lists.set(key, (this.lists.get(key) ?? 0) + 1);
      else if (isSparseVector(value)) this.sparse.set(key, (this.sparse.get(key) ?? 0) + 1);
    }
  }

  summary(): Pick<CollectionHeader, 'listKeys' | 'sparseKeys'> {
    return {
      ...(this.lists.size > 0 ? { listKeys: Object.fromEntries(this.lists) } : {}),
      ...(this.sparse.size > 0 ? { sparseKeys: Object.fromEntries(this.sparse) } : {}),
    };
  }
}

/** Beyond this many suspects the file is plainly full of duplicates; stop collecting. */
const MAX_SUSPECTS = 10_000;

export class CollectionCheck {
  count = 0;
  /** Records that carry an embedding (a Chroma server stores none without one). */
  private withEmbedding = 0;
  dimension: number | null = null;
  readonly suspects = new Set<string>();
  private readonly ids = new IdHashSet();
  private readonly kinds = new MetadataKinds();

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

  /** Notes which keys hold lists and sparse vectors. */
  addMetadata(metadata: Metadata | null): void {
    this.kinds.add(metadata);
  }

  /** What inspect reports of the collection: its dimension, how many records lack an embedding, and which keys hold lists or sparse vectors. */
  summary(): Pick<CollectionHeader, 'dimension' | 'withoutEmbedding' | 'listKeys' | 'sparseKeys'> {
    const missing = this.count - this.withEmbedding;
    return {
      dimension: this.dimension,
      ...(missing > 0 ? { withoutEmbedding: missing } : {}),
      ...this.kinds.summary(),
    };
  }

  /** For column-wise files, where ids and embeddings arrive in different arrays. */
  addId(id: string): void {
    this.count++;
    if (!this.ids.add(id) && this.suspects.size < MAX_SUSPECTS) this.suspects.add(id);
  }

  checkDimension(id: string | null, length: number): string | null {
    const who = id === null ? 'an embedding' : `record ${inQuotes(id)}`;
    if (this.declared !== null && length !== this.declared) {
      return `${who} has ${length} numbers, but collection ${inQuotes(this.name)} declares dimension ${this.declared}`;
    }
    if (this.dimension === null) this.dimension = length;
    else if (length !== this.dimension) {
      return `${who} has ${length} numbers, but earlier embeddings in collection ${inQuotes(this.name)} have ${this.dimension} (mixed dimensions)`;
    }
    return null;
  }
}
