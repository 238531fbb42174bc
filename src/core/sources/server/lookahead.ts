/**
 * The collections after the current one, opened ahead: their count, header and first pages
 * read (and, in a copy, their target collection prepared) while the current one's records
 * move. The backup file still takes one collection after the other, and the checkpoint still
 * names one current collection; what overlaps is each collection's fixed round trips. A
 * collection opened ahead holds only its read window's first pages until its turn, and sends
 * nothing to a target before it (its turn may come while the one before it still lands: see
 * handOver in export-pump.ts).
 */
import type { BackupRecord, CollectionHeader } from '../../model/record.js';
import type { CollectionInfo } from '../../chroma/api.js';

/** A copy's receiving end of one collection (export-pump's CollectionSink). */
interface Stoppable {
  abort(error: unknown): Promise<void>;
}

export interface Opened<S extends Stoppable> {
  total: number;
  header: CollectionHeader;
  pages: AsyncIterable<BackupRecord[]>;
  sink: S | null;
  /**
   * A collection within one page, read whole ahead: its ids at the source, listed once that page
   * was in (null when the listing failed: the end check lists again at its turn).
   */
  sourceIds?: Promise<string[] | null>;
}

export class Lookahead<S extends Stoppable> {
  private readonly started = new Map<number, Promise<Opened<S>>>();

  constructor(
    private readonly infos: readonly CollectionInfo[],
    /** Collections open at once, the current one included. */
    private readonly depth: number,
    private readonly open: (info: CollectionInfo) => Promise<Opened<S>>,
  ) {}

  /** The collection at `index`, opened (now, or ahead earlier); opens the ones after it up to the depth. */
  take(index: number): Promise<Opened<S>> {
    this.openFrom(index, this.depth);
    const opened = this.started.get(index) as Promise<Opened<S>>;
    this.started.delete(index);
    return opened;
  }

  /** The current collection is `index` and is not opened here (a resumed one): open the ones after it. */
  openAfter(index: number): void {
    this.openFrom(index + 1, this.depth - 1);
  }

  private openFrom(from: number, count: number): void {
    for (let k = from; k < Math.min(this.infos.length, from + Math.max(1, count)); k++) {
      if (this.started.has(k)) continue;
      const opening = this.open(this.infos[k] as CollectionInfo);
      opening.catch(() => undefined); // a failure surfaces when its collection's turn comes
      this.started.set(k, opening);
    }
  }

  /** The export stopped: the collections opened ahead stop too, their sinks settled. */
  async abandon(error: unknown): Promise<void> {
    const waiting = [...this.started.values()];
    this.started.clear();
    await Promise.all(waiting.map(async (opening) => (await opening.catch(() => null))?.sink?.abort(error)));
  }
}

/**
 * Starts an async generator now (up to its first value), not when first iterated: its reads begin
 * at once. `started` settles when that first value (or the end) is in.
 */
export function startedNow<T>(generator: AsyncGenerator<T>): AsyncIterable<T> & { started: Promise<IteratorResult<T, unknown>> } {
  const first = generator.next();
  first.catch(() => undefined); // observed by the loop that takes it
  return {
    started: first,
    async *[Symbol.asyncIterator]() {
      try {
        for (let step = await first; !step.done; step = await generator.next()) yield step.value;
      } finally {
        await generator.return(undefined);
      }
    },
  };
}
