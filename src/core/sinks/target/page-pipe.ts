import type { BackupRecord } from '../../model/record.js';

/**
 * Pages in (as an export reads them), batches out (as an import sends them), with a bound on
 * what waits in between: `push` holds the producer while `capacity` records wait, so a source
 * faster than the target costs no memory, and a target faster than the source never waits on
 * more than one page. A failure on either side reaches the other.
 */
export class PagePipe {
  private held: BackupRecord[] = [];
  private closed = false;
  /** The first batch leaves with whatever the first page brought: the target starts at once. */
  private first = true;
  /** Asked to send what it holds now, a short batch too (flush). */
  private flushing = false;
  private failure: { error: unknown } | null = null;
  private wakeConsumer: (() => void) | null = null;
  private wakeProducer: (() => void) | null = null;

  /** Fails the pipe when `signal` aborts (see the constructor); removed once nothing can wait. */
  private readonly stopOnAbort: (() => void) | null = null;

  /**
   * `signal`: stopped (Ctrl-C), the pipe fails with its reason, so neither side waits on the other
   * for pages or room that will never come (a consumer waiting for the rest of a collection would
   * otherwise wait for ever).
   */
  constructor(
    private readonly batchSize: number,
    private readonly capacity: number,
    private readonly signal?: AbortSignal,
  ) {
    if (!signal) return;
    if (signal.aborted) {
      this.fail(signal.reason);
      return;
    }
    this.stopOnAbort = () => this.fail(signal.reason);
    signal.addEventListener('abort', this.stopOnAbort, { once: true });
  }

  /** Resolves when there is room for the next page; rejects once the consumer has failed. */
  async push(records: BackupRecord[]): Promise<void> {
    this.throwIfFailed();
    for (const record of records) this.held.push(record);
    this.wake('consumer');
    while (this.held.length >= this.capacity && this.failure === null) await new Promise<void>((resolve) => (this.wakeProducer = resolve));
    this.throwIfFailed();
  }

  /**
   * What is held goes out now, a short last batch too, while more pages may follow: the producer
   * can then wait for everything it pushed to land (a copy's end check, before it lists the source).
   */
  flush(): void {
    this.flushing = true;
    this.wake('consumer');
  }

  /** No more pages: the last, short batch goes out. */
  close(): void {
    this.closed = true;
    // Closed, the consumer never waits again (it drains what is held and ends): one listener
    // less on a signal that a copy of thousands of collections shares.
    this.forgetSignal();
    this.wake('consumer');
  }

  /** Either side failed: the other side's next push or read throws this. */
  fail(error: unknown): void {
    if (this.failure === null) this.failure = { error };
    this.forgetSignal();
    this.wake('consumer');
    this.wake('producer');
  }

  private forgetSignal(): void {
    if (this.stopOnAbort) this.signal?.removeEventListener('abort', this.stopOnAbort);
  }

  async *batches(): AsyncGenerator<BackupRecord[]> {
    for (;;) {
      this.throwIfFailed();
      if (this.held.length >= this.batchSize || (this.held.length > 0 && (this.closed || this.first || this.flushing))) {
        this.first = false;
        const batch = this.held.splice(0, this.batchSize);
        if (this.held.length === 0) this.flushing = false;
        this.wake('producer');
        yield batch;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  private wake(side: 'consumer' | 'producer'): void {
    const wake = side === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (side === 'consumer') this.wakeConsumer = null;
    else this.wakeProducer = null;
    wake?.();
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure.error;
  }
}
