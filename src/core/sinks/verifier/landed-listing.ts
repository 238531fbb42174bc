/**
 * A copy's last collection, once every record pushed so far has landed on the target (settle):
 * the target is listed then, here, while its export's end check lists the source (from the
 * moment every page was read, beside the last records' landing). When the end check then sends
 * and deletes nothing more (the source held still), those two listings are the closing id
 * check's: one listing of each side instead of the source's twice, and the source's beside the
 * landing instead of after it. Otherwise the target is listed again once the end check's changes
 * have landed.
 * Both sides are listed against the export file's ids (ids-against.ts), which the export holds
 * anyway: one set of a million ids held at the end, not three.
 */
import { ChromaApi } from '../../chroma/api.js';
import type { Endpoint } from '../../chroma/endpoint.js';
import { retryExplained } from '../../chroma/explain.js';
import { listIdsAgainst } from '../../chroma/id-list.js';
import type { CompactIdSet } from '../../util/compact-ids.js';
import type { IdsAgainst } from '../../util/ids-against.js';
import type { PagePipe } from '../target/page-pipe.js';
import type { IdCheck } from './closing-pass.js';

export class LandedListing {
  private committedSoFar: number;
  /** The target collection the records went into (known once one batch is committed). */
  private collectionId: string | null = null;
  private waiting: { at: number; resolve: () => void } | null = null;
  private target: { ids: Promise<IdsAgainst>; at: number; stop: AbortController } | null = null;

  constructor(
    private readonly pipe: PagePipe,
    start: number,
    private readonly where: { target: Endpoint; signal: AbortSignal },
  ) {
    this.committedSoFar = start;
  }

  /** The target has committed the collection's records up to `count` (from its start), into the collection `collectionId`. */
  committed(count: number, collectionId: string): void {
    this.committedSoFar = count;
    this.collectionId = collectionId;
    if (this.waiting && count >= this.waiting.at) {
      this.waiting.resolve();
      this.waiting = null;
    }
  }

  /**
   * Resolves once the `pushed` records pushed so far have all landed (rejects when the import
   * fails first); the target's listing starts then, against `inFile` (the file's ids so far).
   */
  async settle(pushed: number, imported: Promise<unknown>, inFile: CompactIdSet): Promise<void> {
    this.pipe.flush();
    if (this.committedSoFar < pushed) {
      const reached = new Promise<void>((resolve) => (this.waiting = { at: pushed, resolve }));
      // Stopped (Ctrl-C), the pipe fails and so does the import: it rejects this.
      await Promise.race([reached, imported.then(() => reached)]);
    }
    // Listed by the id the records went into (a collection gone since fails the listing); with
    // nothing committed, the closing check lists it later, by its name.
    if (this.collectionId === null) return;
    const collectionId = this.collectionId;
    const stop = new AbortController();
    const { target } = this.where;
    const signal = AbortSignal.any([this.where.signal, stop.signal]);
    const ids = listIdsAgainst(new ChromaApi(target), collectionId, inFile, { call: (work) => retryExplained(target, work, { signal }), signal });
    ids.catch(() => undefined); // awaited by the closing check, or dropped
    this.target = { ids, at: pushed, stop };
  }

  /**
   * The closing check's two sides: the source's as the end check listed them, and the target's
   * listed beside them, when nothing was pushed (the end check's missed records) nor deleted there
   * since; otherwise the target is listed afresh.
   */
  sides(source: IdsAgainst, pushed: number, dropped: boolean): NonNullable<IdCheck['listed']> {
    const target = this.target;
    if (target && target.at === pushed && !dropped) return { source, target: target.ids };
    target?.stop.abort();
    return { source, target: null };
  }
}
