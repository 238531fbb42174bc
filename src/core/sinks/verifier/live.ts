/**
 * A copy's verify, batch by batch: each batch the target has committed is read back and compared
 * while the copy goes on, instead of a second pass over the finished file at the end. Measured
 * over +40 ms to the target (npm run bench, network section), that pass cost 3.7–4.1 s of a
 * 20k-record copy's 20–22 s; here the reads overlap the writes.
 *
 * Up to RECORDS_AWAITING_COMPARE records wait to be compared; past that the copy's commits wait
 * for the comparison, so a target slower to read than to write paces the copy at its read speed.
 * A read that fails after its retries stops the checking, not the copy: `finish` rejects, and
 * the copy compares that collection from the finished file instead.
 */
import type { BackupRecord, CollectionHeader } from '../../model/record.js';
import { spaceOf, type CollectionInfo } from '../../chroma/api.js';
import { retryExplained } from '../../chroma/explain.js';
import type { TargetSession } from '../target/session.js';
import { PagePipe } from '../target/page-pipe.js';
import { checkTargetCollection, concludeVerdict, emptyVerdict, markRefused, RecordChecker, type CollectionVerdict } from './checker.js';

/** How many records may wait to be compared before the copy's commits wait too. */
const RECORDS_AWAITING_COMPARE = 4000;

/**
 * Committed batches held back from the read back until this many newer ones have committed: a
 * single-node target serves a read of the records it has just written dearly. Measured on the
 * target pinned to a core of its own (20k × 384-d, +80/+40 ms, idle machine, 3 alternated pairs):
 * the copy with verify 20.6 → 17.6 s and the target's CPU 18.6 → 15.5 s with 1; with 2, in a
 * second run, 19.3 → 18.8 s and a longer tail (the held batches read after the last commit).
 */
const READ_BACK_LAG = 1;

export class CopyVerify {
  private readonly pipe: PagePipe;
  private readonly verdict: CollectionVerdict;
  private failure: { error: unknown } | null = null;
  private readonly checked: Promise<void>;
  private readonly call: <T>(work: () => Promise<T>) => Promise<T>;
  /** The collection the records went into, as the import prepared it. */
  private collection: CollectionInfo | null = null;
  private landedAs: CollectionInfo | null = null;
  /** Committed, not yet handed to the read back (READ_BACK_LAG). */
  private readonly lagging: BackupRecord[][] = [];

  constructor(
    private readonly target: TargetSession,
    private readonly header: CollectionHeader,
    private readonly name: string,
    /** The user's Ctrl-C, and the copy's own stop when it fails. */
    private readonly signal: AbortSignal,
  ) {
    this.pipe = new PagePipe(target.batchSize, Math.max(RECORDS_AWAITING_COMPARE, target.batchSize * 2));
    this.verdict = emptyVerdict(name, header.count);
    this.call = <T>(work: () => Promise<T>) => retryExplained(target.options.target, work, { signal });
    this.checked = this.run();
  }

  /** A batch the target has committed; waits only while RECORDS_AWAITING_COMPARE records wait to be compared. */
  push(batch: BackupRecord[], collection: CollectionInfo): Promise<void> {
    this.collection ??= collection;
    // A failed check (kept for finish) or a stopped copy is not the import's failure.
    if (this.failure) return Promise.resolve();
    this.lagging.push(batch);
    if (this.lagging.length <= READ_BACK_LAG) return Promise.resolve();
    return this.pipe.push(this.lagging.shift()!).catch(() => undefined);
  }

  /** Every batch is committed: those held back go to the read back now. */
  private async pushLagging(): Promise<void> {
    while (this.lagging.length > 0 && !this.failure) await this.pipe.push(this.lagging.shift()!).catch(() => undefined);
    this.lagging.length = 0;
  }

  /**
   * Every batch is pushed (the import has committed its last): resolves once they are all read
   * back and compared, or the checking stopped. Never rejects; finish says how it went.
   */
  async allPushed(): Promise<void> {
    await this.pushLagging();
    this.pipe.close();
    return this.checked;
  }

  /**
   * Every batch is pushed and the import has finished: compare what is left, then the count and
   * the collection's settings, as verify does. The index's recall is measured at the end of the
   * copy (closing-pass.ts), its truth found as the records streamed by (streamed-truth.ts).
   */
  async finish(exported: number, refused?: { ids: ReadonlySet<string>; file: string }): Promise<CollectionVerdict> {
    await this.pushLagging();
    this.pipe.close();
    await this.checked;
    if (this.failure) throw this.failure.error;
    // What the file holds, as verify of the file would expect: the source's count when the
    // export began differs when records were added or deleted there during the copy. Records
    // the target refuses, set aside (--skip-invalid), are not expected there.
    this.verdict.expected = exported - (refused?.ids.size ?? 0);
    if (refused) markRefused(this.verdict, refused.ids, refused.file);
    const { api, server, options } = this.target;
    const knownId = this.collection?.id;
    this.landedAs = await checkTargetCollection(this.verdict, this.header, { api, call: this.call, server, cloud: options.target.cloud, signal: this.signal, ...(knownId ? { knownId } : {}) });
    concludeVerdict(this.verdict);
    return this.verdict;
  }

  /**
   * The collection as finish read it, after every record had landed (null before, or when it was
   * not there): the closing checks query and list it by this id, where its settings were checked.
   */
  get found(): CollectionInfo | null {
    return this.landedAs;
  }

  /** The copy stopped: let nothing wait on this. */
  stop(error: unknown): void {
    this.pipe.fail(error);
  }

  private async run(): Promise<void> {
    let checker: RecordChecker | null = null;
    try {
      for await (const batch of this.pipe.batches()) {
        // The collection exists once the target has committed a batch into it.
        checker ??= this.checker();
        await checker.check(batch);
      }
      await checker?.finish();
    } catch (error) {
      this.failure = { error };
      this.pipe.fail(error); // later pushes are not held
    } finally {
      checker?.abandon();
    }
  }

  private checker(): RecordChecker {
    const { api } = this.target;
    const signal = this.signal;
    // The collection the import wrote into, read back when it was created or found: the reads go by its id.
    const info = this.collection as CollectionInfo;
    return new RecordChecker(this.verdict, {
      api,
      call: this.call,
      collectionId: info.id,
      space: spaceOf(info),
      // The recall samples are the copy's (streamed-truth.ts): the checker keeps none.
      sample: 0,
      // One read back per batch written, one at a time: the reads share the target with the
      // writes, and fewer, larger reads cost it less. Measured (20k records over +80/+40 ms, idle
      // machine, two rounds): 250 ids × 4 in flight 17.0–17.5 s, 1,000 × 2 16.5–17.0 s,
      // 1,000 × 1 15.5–16.8 s. The batch size the target takes is within Cloud's read quota too.
      readSize: this.target.batchSize,
      readsInFlight: 1,
      signal,
    });
  }
}
