/** Chroma Cloud's per-request read quota and per-collection concurrent-read quota. */
export const CLOUD_MAX_PAGE = 300;
export const CLOUD_MAX_CONCURRENT_READS = 10;
/**
 * Records per read from a server that is not Cloud. Chroma pages a `get` by offset and skips every
 * record before the offset on each page, so fewer, larger pages cost its CPU less: on 150k × 384-d
 * records, a record read in pages of 1,000 took 0.43–0.63× the time of one in pages of 300
 * (docs/performance.md, Scale). A page is sized to about SERVER_PAGE_BYTES of answer, so that the
 * reads in flight hold about as much whatever the dimension: 1,000 records at 384-d, 525 at
 * 768-d, Cloud's 300 from ~1,300-d; 1,000 while the dimension is unknown. Pages of 2,000 (8.7 MB
 * answers, 0.33–0.58×) raised a 150k copy's peak RSS from 267 to 334 MB: each answer is held
 * whole, with its records, four reads at a time.
 */
export function serverPageSize(dimension: number | null | undefined): number {
  if (!dimension) return SERVER_PAGE_UNKNOWN;
  const fits = Math.floor(SERVER_PAGE_BYTES / (dimension * JSON_BYTES_PER_FLOAT + JSON_BYTES_PER_RECORD));
  return Math.max(CLOUD_MAX_PAGE, Math.min(SERVER_PAGE_MAX, fits));
}
const SERVER_PAGE_MAX = 1_000;
const SERVER_PAGE_UNKNOWN = 1_000;
const SERVER_PAGE_BYTES = 5_000_000;
/** Measured: a 384-d record (a short document, a few metadata keys) is ~4.4 KB of `get` answer. */
const JSON_BYTES_PER_FLOAT = 12;
const JSON_BYTES_PER_RECORD = 300;
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

