/** Chroma Cloud's per-request read quota and per-collection concurrent-read quota. */
export const CLOUD_MAX_PAGE = 300;
export const CLOUD_MAX_CONCURRENT_READS = 10;
/**
 * Reads in flight by default. Across the internet each read is mostly the round trip, so more in
 * flight reads faster, up to Cloud's quota; a 429 halves the window (ReadWindow). Elsewhere 4:
 * on one machine the server's CPU is the limit, not the round trip (measured, see README).
 */
export const CLOUD_DEFAULT_READS = 8;

/**
 * How many reads may be in flight. Starts at 2 and opens by one with each read that succeeds
 * (TCP's slow start) up to the chosen concurrency: the first page is the one a copy's target
 * waits for, and reads started together share the source's CPU, so the first arrives last
 * (profiled on one machine: 8 at once, the first page after 2.1 s). Each 429 halves the window
 * (Cloud's quota is shared with whatever else reads the collection); after that it grows back
 * by one after that many reads succeed in a row.
 */
export class ReadWindow {
  limit: number;
  private streak = 0;
  private slowStart = true;
  constructor(private readonly max: number) {
    this.limit = Math.min(2, max);
  }
  slowDown(): void {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.streak = 0;
    this.slowStart = false;
  }
  succeeded(): void {
    if (this.limit >= this.max) return;
    if (!this.slowStart && ++this.streak < this.limit) return;
    this.limit++;
    this.streak = 0;
  }
}

