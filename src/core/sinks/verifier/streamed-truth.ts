/**
 * A copy's recall truth found as its records stream by: the true neighbours of the samples among
 * all of the collection's records, without reading the finished backup again for them (a gunzip,
 * a parse and a base64 decode of every record, only to offer each one to the samples).
 *
 * The samples come from the collection's first SAMPLE_WINDOW records, spread over them: a sample
 * chosen later would have missed the records that passed before it. Every record, those first
 * ones too, is offered as it passes, in the file's order, so the truth is the one a pass over the
 * file finds, unless the file holds other records than streamed by (records read twice, or
 * deleted at the source during the copy: the file leaves them out) or the target's collection
 * is in another space than the source's header said. `whole` is null then, and the caller reads
 * the file with the same samples.
 */
import type { BackupRecord, Space } from '../../model/record.js';
import { DEFAULT_K, TrueNeighbours } from './recall.js';

/** Records held back (references only, up to ~3 MB at 384-d) to spread the samples over. */
const SAMPLE_WINDOW = 2_000;

export class StreamedTruth {
  private truth: TrueNeighbours | null = null;
  private waiting: BackupRecord[] = [];
  private streamed = 0;
  private exported: number | null = null;

  constructor(
    private readonly sample: number,
    /** The space the source's header names; the target's is checked against it at the end. */
    private readonly space: Space,
    /** Records that may be samples (not those the target refuses: it cannot find them). */
    private readonly eligible: (record: BackupRecord) => boolean = () => true,
    private readonly window = SAMPLE_WINDOW,
  ) {}

  /** The next records, in the order the file holds them. */
  offer(records: readonly BackupRecord[]): void {
    this.streamed += records.length;
    if (this.truth) {
      this.truth.add(records);
      return;
    }
    for (const record of records) this.waiting.push(record);
    if (this.waiting.length >= this.window) this.begin();
  }

  /** Every record was offered: the file holds `exported` of the collection's records. */
  end(exported: number): void {
    this.exported = exported;
    this.begin();
  }

  get samples(): BackupRecord[] {
    return this.begin().samples;
  }

  /**
   * The truth over every record of the file in `space` (the target collection's), or null when
   * what streamed by is not what the file holds, or was found in another space.
   */
  whole(space: Space): TrueNeighbours | null {
    const truth = this.begin();
    return this.exported === this.streamed && space === this.space ? truth : null;
  }

  private begin(): TrueNeighbours {
    if (this.truth) return this.truth;
    const truth = new TrueNeighbours(spread(this.waiting, this.sample, this.eligible), this.space, DEFAULT_K);
    truth.add(this.waiting);
    this.waiting = [];
    this.truth = truth;
    return truth;
  }
}

/** Up to `sample` records with an embedding, spread over `records` (as RecordChecker picks them). */
function spread(records: BackupRecord[], sample: number, eligible: (record: BackupRecord) => boolean): BackupRecord[] {
  const every = Math.max(1, Math.floor(records.length / Math.max(1, sample)));
  const picked: BackupRecord[] = [];
  for (let index = 0; index < records.length && picked.length < sample; index += 1) {
    const record = records[index]!;
    if (index % every === 0 && record.embedding && eligible(record)) picked.push(record);
  }
  return picked;
}
