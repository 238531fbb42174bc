/**
 * A collection's records read page by page, several reads ahead within a read window, in pages
 * sized for the source (Cloud's quota, or by the dimension off Cloud) and shrunk to Cloud's size
 * for the rest of the run when a server answers a larger page with Cloud's quota error.
 */
import type { BackupRecord } from '../../model/record.js';
import type { ChromaApi, GetPage } from '../../chroma/api.js';
import { isQuotaError, pageRecords } from '../../chroma/id-list.js';
import { CLOUD_MAX_PAGE, serverPageSize, type ReadWindow } from './read-window.js';

/**
 * Records per read for one run, shared by its collections: `fixed` (the user's --page-size, or
 * Cloud's 300), else by each collection's dimension (serverPageSize) until a server (or a proxy
 * in front of it) answers a larger page with Cloud's quota error: Cloud's 300 from then on. At
 * most `cut` once answers came back cut to that many records (see readPages).
 */
export interface Paging {
  fixed: number | null;
  shrunk: boolean;
  cut?: number;
}

export function choosePaging(asked: number | undefined, cloud: boolean): Paging {
  if (asked !== undefined) return { fixed: Math.max(1, Math.min(asked, cloud ? CLOUD_MAX_PAGE : 5_000)), shrunk: false };
  return { fixed: cloud ? CLOUD_MAX_PAGE : null, shrunk: false };
}

export function pageSizeOf(paging: Paging, dimension: number | null | undefined): number {
  const size = paging.fixed ?? (paging.shrunk ? CLOUD_MAX_PAGE : serverPageSize(dimension));
  return Math.min(size, paging.cut ?? size);
}

/**
 * Pages in order with up to `concurrency` reads in flight: pages within the known count are
 * fetched ahead; past it we continue one page at a time until a short page shows the end. A
 * page refused for Cloud's quota is read again from its own offset in Cloud's size (see Paging);
 * positions are records from the start, so a checkpoint holds whatever the page size. A page
 * shorter than asked before the count is reached is not the end: something between may cut
 * answers (a proxy's limit), so the reads go on from where it ended until an empty page.
 */
export async function* readPages(
  api: ChromaApi,
  id: string,
  options: PageReads & {
    offset: number;
    total: number;
    /** The read at `offset`, begun before the count was in (firstPageRead): the queue's head. */
    first?: QueuedPage;
  },
): AsyncGenerator<BackupRecord[]> {
  const { paging } = options;
  const fetchPage = (offset: number): QueuedPage => pageRead(api, id, offset, options);
  const queue: QueuedPage[] = options.first ? [options.first] : [];
  let next = options.first ? options.first.offset + options.first.size : options.offset;
  const queueNext = () => {
    queue.push(fetchPage(next));
    next += queue[queue.length - 1]!.size;
  };
  const fill = () => {
    while (queue.length < options.window.limit && next < options.total) queueNext();
  };
  fill();
  /** The last page's length, when it was short before the count: a cut answer if more follow it. */
  let cutTo: number | null = null;
  while (queue.length > 0) {
    const head = queue.shift() as QueuedPage;
    const page = await head.page.catch((error: unknown) => {
      if (!(paging.fixed === null && head.size > CLOUD_MAX_PAGE && isQuotaError(error))) throw error;
      paging.shrunk = true;
      return null;
    });
    if (page === null) {
      // Read again from the refused page on, in Cloud's size; the pages queued behind it are dropped.
      queue.length = 0;
      next = head.offset;
      fill();
      if (queue.length === 0) queueNext();
      continue;
    }
    const records = pageRecords(page);
    // More came after a short page: answers are cut to its size, which the next pages ask for.
    if (cutTo !== null && records.length > 0) paging.cut = cutTo;
    cutTo = null;
    const short = records.length < head.size;
    if (short && records.length > 0 && head.offset + records.length < options.total) {
      // Cut, or the collection shrank meanwhile: read on from where this one ended (not from where
      // the pages queued behind it begin); an empty page there is the end.
      queue.length = 0;
      next = head.offset + records.length;
      cutTo = records.length;
    }
    const ended = short && cutTo === null;
    if (!ended) fill();
    if (records.length > 0) yield records;
    if (ended) return;
    // The collection grew after counting: carry on sequentially until a short page.
    if (queue.length === 0) queueNext();
  }
}

/** How one collection's pages are read: their size, the window they share, and the caller's retries. */
export interface PageReads {
  paging: Paging;
  dimension: number | null | undefined;
  window: ReadWindow;
  signal?: AbortSignal;
  call: <T>(work: () => Promise<T>) => Promise<T>;
  /** The columns read (default all four): a re-embed without old vectors to keep needs none of them. */
  include?: Array<'embeddings' | 'documents' | 'metadatas' | 'uris'>;
}

export interface QueuedPage {
  offset: number;
  size: number;
  page: Promise<GetPage>;
}

/**
 * The collection's first page, read beside its count rather than after it: a round trip to the
 * source less before a copy's target gets its first records. Handed to readPages as `first`.
 */
export function firstPageRead(api: ChromaApi, id: string, reads: PageReads): QueuedPage {
  return pageRead(api, id, 0, reads);
}

function pageRead(api: ChromaApi, id: string, offset: number, reads: PageReads): QueuedPage {
  const size = pageSizeOf(reads.paging, reads.dimension);
  const page = reads
    .call(() => api.get(id, { limit: size, offset, include: reads.include ?? ['embeddings', 'documents', 'metadatas', 'uris'] }, { signal: reads.signal }))
    .then((records) => {
      reads.window.succeeded();
      return records;
    });
  // A page read ahead can fail (Ctrl-C, the source gone) while the generator waits at `yield`
  // for the writer: observed here, it is still thrown where it is awaited, and never becomes
  // an unhandled rejection that kills the process mid-save.
  page.catch(() => undefined);
  return { offset, size, page };
}
