/**
 * What a collection holds at one moment, by id: an ids-only listing (`include: []`, cheap) in
 * pages within Cloud's read quota. Offset paging is not a snapshot — a delete or insert while
 * the pages are read shifts the later ones — so a listing counts only when it agrees with the
 * collection's count taken before and after it, and when each page begins on the id the page
 * before it ended with; otherwise it is read again, and a listing that never holds is an error,
 * never an answer: a prune, a backup's end check and a verify rest on it.
 *
 * The count alone is not enough: a delete before the current offset and an add between two pages
 * keep it, while the pages after the delete shift by one and the id at the boundary is listed by
 * no page. Such an id can then hide from every comparison (the source's listing lacks it, and so
 * may a target that lost it). Pages that overlap by one id see any shift between two of them: the
 * next page no longer begins on the previous one's last id. The server lists in a fixed order
 * (Chroma: by each record's internal offset id, new records last), so when every page joins up,
 * every id the collection held from the listing's start to its end is in it.
 *
 * Pages are read several at a time: over the internet each one is mostly a round trip, and a
 * listing of 20,000 ids one page after another took ~67 of them (5–6 s at 80 ms).
 */
import type { BackupRecord } from '../model/record.js';
import { CompactIdSet } from '../util/compact-ids.js';
import { count, inQuotes } from '../util/format.js';
import { IdsAgainst } from '../util/ids-against.js';
import { MigrateError } from '../util/errors.js';
import { aheadInOrder } from '../util/pool.js';
import type { ChromaApi, GetPage } from './api.js';
import { ChromaRequestError } from './http.js';

/** Ids or records per request by default: Cloud answers at most 300 results per read. */
const CLOUD_PAGE = 300;
/**
 * Ids per page off Cloud. Chroma pages a `get` by offset, and each page skips every id before it
 * on the server: a listing of 1M ids in pages of 300 (~3,334 pages, 0.2 s at the start to 0.56 s
 * near the end) cost ~20 minutes of the server's CPU. Each page also pays a fixed cost, so fewer
 * pages are cheaper still. 200k ids on a local server, 3 rounds alternated, load 5–7: this
 * listing (counts, parse, compact set) took 2.9–4.3 s in pages of 5,000, 1.25–1.49 s in pages
 * of 20,000 and 1.34–1.60 s in pages of 50,000; the server's answers alone (one page at a time)
 * 2.0–2.4, 1.0–1.3 and 0.65–0.84 s. 20,000 is the fastest here with answers of ~0.3 MB (~0.8 MB
 * of UUIDs); at 1M ids larger pages skip less still (not measured).
 */
const SERVER_ID_PAGE = 20_000;
/** Requests in flight: under Cloud's 10 concurrent reads per collection, with room for a retry. */
const READS_AT_ONCE = 6;
const ATTEMPTS = 5;

export interface IdListOptions {
  /** Wraps each request in the caller's retry and error wording. */
  call: <T>(work: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
  /** Ids or records per request (default 300, Cloud's read quota). */
  pageSize?: number;
  /** Requests in flight at once (default 6). */
  reads?: number;
  /** The collection's name, for an error that names it. */
  name?: string;
}

/** Reads with a page size of the caller's choice (a sync or diff: larger off Cloud). */
export type ByIdOptions = IdListOptions & { pageSize: number };

/**
 * The same reads for an id listing: its own page size (ids only, 20,000 a page off Cloud), not the
 * one chosen for reading whole records by id, which at 1,000 made a listing of 1M ids 1,000 requests.
 */
export function forIdListing({ call, signal, reads, name }: ByIdOptions): IdListOptions {
  return { call, signal, reads, name };
}

/** Every id of the collection once, in the server's order; a listing the count confirms (else it throws). */
export async function listIds(api: ChromaApi, collectionId: string, options: IdListOptions): Promise<string[]> {
  let ids: string[] = [];
  await streamIds(api, collectionId, options, {
    begin: () => {
      ids = [];
      return { page: (some) => void ids.push(...some), distinct: () => new Set(ids).size };
    },
  });
  return [...new Set(ids)];
}

/** The collection's ids as one listing the count confirms (else it throws), held compactly. */
export function listIdSet(api: ChromaApi, collectionId: string, options: IdListOptions): Promise<CompactIdSet> {
  return listInto(api, collectionId, options, (expected) => new CompactIdSet(expected));
}

/**
 * The collection's ids as one listing the count confirms (else it throws), marked against
 * `index` (ids-against.ts): only the ids `index` lacks are held. On Cloud the index's own ids are
 * read back by id first, and a listing is taken only when that cannot prove the set.
 */
export async function listIdsAgainst(api: ChromaApi, collectionId: string, index: CompactIdSet, options: IdListOptions): Promise<IdsAgainst> {
  const found = api.target.cloud ? await foundById(api, collectionId, index, options) : null;
  return found ?? listInto(api, collectionId, options, () => new IdsAgainst(index));
}

/**
 * The collection's ids when they are `index`'s ids less some, proven by id: every id of `index`
 * asked for (ids only), and the count before and after equal to the ids found. Nothing else can
 * then be there. Null when that does not hold (the collection holds others, or changed meanwhile):
 * only a listing finds the others.
 *
 * Why: Chroma pages a listing by offset, and each page skips every id before it. In Cloud's pages
 * of 300 a million ids took 612 s to list on a local server, and 9–25 s read back by id (load 10).
 * Off Cloud a listing's pages of 20,000 cost the same as reading by id (15 s at 1M).
 */
async function foundById(api: ChromaApi, collectionId: string, index: CompactIdSet, options: IdListOptions): Promise<IdsAgainst | null> {
  const { call, signal } = options;
  const before = await call(() => api.count(collectionId, { signal }));
  // More than the index: some are not its ids. Under half of it: a listing reads fewer ids.
  if (before > index.size || before < index.size / 2) return null;
  const found = new IdsAgainst(index);
  const pageSize = Math.min(options.pageSize ?? CLOUD_PAGE, CLOUD_PAGE);
  for await (const { ids } of pagesByIds(api, collectionId, index, { ...options, pageSize }, [])) {
    for (const id of ids) found.add(id);
  }
  const after = await call(() => api.count(collectionId, { signal }));
  return before === after && found.size === after && found.outside.size === 0 ? found : null;
}

/** A listing into what `start` makes afresh for each attempt (told the count it expects): the one the count confirmed. */
async function listInto<T extends { add(id: string): void; readonly size: number }>(api: ChromaApi, collectionId: string, options: IdListOptions, start: (expected: number) => T): Promise<T> {
  let listed = start(0);
  await streamIds(api, collectionId, options, {
    begin: (expected) => {
      const taking = start(expected);
      listed = taking;
      return {
        page: (ids) => {
          for (const id of ids) taking.add(id);
        },
        distinct: () => taking.size,
      };
    },
  });
  return listed;
}

/** Takes a listing page by page, as it is read: `begin` starts each attempt afresh. */
interface IdListing {
  begin(expected: number): {
    page(ids: string[]): void;
    /** Different ids taken in this attempt (the listing holds when it is the count). */
    distinct(): number;
  };
}

/**
 * A listing handed to `listing` page by page, so that the caller need not hold it whole; read
 * again (from `begin`) until the count before and after agrees with the different ids it held
 * and its pages joined up (readIdPages).
 * Throws when no attempt held: the last one read is no answer, and a prune, an export's end check
 * and a verify would take its gaps for records gone. Answers shorter than asked while the collection held
 * still and holds more are cut by something between (a proxy's limit): the next attempt asks
 * for pages of that size, which such a limit answers whole.
 */
async function streamIds(api: ChromaApi, collectionId: string, options: IdListOptions, listing: IdListing): Promise<void> {
  const { call, signal } = options;
  let pageSize = options.pageSize ?? (api.target.cloud ? CLOUD_PAGE : SERVER_ID_PAGE);
  const tries: ListingTry[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const before = await call(() => api.count(collectionId, { signal }));
    const taking = listing.begin(before);
    let read: ReadPages;
    try {
      read = await readIdPages(api, collectionId, before, { ...options, pageSize }, taking.page);
    } catch (error) {
      // A server (or a proxy in front of it) that holds reads to Cloud's quota: Cloud's size then.
      if (pageSize <= CLOUD_PAGE || !isQuotaError(error)) throw error;
      pageSize = CLOUD_PAGE;
      attempt--;
      continue;
    }
    const after = await call(() => api.count(collectionId, { signal }));
    const listed = taking.distinct();
    if (before === after && listed === after && read.joined) return;
    tries.push({ before, after, listed });
    // Two ids a page at least: each page overlaps the one before by one.
    if (before === after && listed < after && read.longest > 1 && read.longest < pageSize) pageSize = read.longest;
  }
  throw unconfirmedListing(api, options.name, tries);
}

/** One attempt at a listing that did not hold: the counts around it and the different ids it held. */
interface ListingTry {
  before: number;
  after: number;
  listed: number;
}

/** A listing no attempt confirmed, in words: what was listed against what was counted, and what to do. */
function unconfirmedListing(api: ChromaApi, name: string | undefined, tries: ListingTry[]): MigrateError {
  const last = tries[tries.length - 1]!;
  const what = `${name === undefined ? 'A collection' : inQuotes(name)} at ${api.target.url}`;
  const times = `${tries.length} times over`;
  const steady = tries.every((one) => one.before === one.after);
  const message = !steady
    ? `${what} kept changing while its ids were listed (${tries.map((one) => `${count(one.before)} → ${count(one.after)}`).join(', ')}), ${times}.`
    : last.listed === last.after
      ? `${what} changed between the pages of its id listing (records deleted and others added as they were listed, so the pages shifted), ${times}.`
      : `${what} listed ${count(last.listed)} ids of the ${count(last.after)} it counts, ${times}: ${last.listed < last.after ? 'a proxy or the server cuts its answers short, or records are deleted and added as fast as they are listed' : 'records are deleted and added as fast as they are listed'}.`;
  return new MigrateError('MISMATCH', `${message} Nothing was taken from that listing.`, 'Run the same command again when nothing writes to that collection; if it still fails, remove whatever limits the answers between you and the server (a proxy, a gateway).');
}

/** Cloud's quota error, as the HTTP layer raises it or as explained to the user. */
export function isQuotaError(error: unknown): boolean {
  return (error instanceof ChromaRequestError && error.kind === 'quota') || (error instanceof MigrateError && error.code === 'QUOTA');
}

/** How a listing's pages came: the longest answer (to tell answers cut short), and whether they joined up. */
interface ReadPages {
  longest: number;
  /** Every page began on the id the page before it ended with (and none followed the collection's end). */
  joined: boolean;
}

/**
 * The pages a collection of `expected` records fills, read ahead, each `size` ids from one id
 * before the previous page's end; then on while the last one is full (it grew meanwhile). The
 * id a page shares with the page before is handed to `take` once.
 */
async function readIdPages(api: ChromaApi, collectionId: string, expected: number, options: IdListOptions, take: (ids: string[]) => void): Promise<ReadPages> {
  const { call, signal } = options;
  const size = Math.max(2, options.pageSize ?? CLOUD_PAGE);
  const step = size - 1;
  const page = (offset: number) => call(() => api.get(collectionId, { limit: size, offset, include: [] }, { signal }));
  const read: ReadPages = { longest: 0, joined: true };
  let previous: string[] | null = null;
  const next = (some: string[]): number => {
    if (previous !== null && !joins(previous, some, size)) read.joined = false;
    take(previous === null || some.length === 0 ? some : some.slice(1));
    previous = some;
    read.longest = Math.max(read.longest, some.length);
    return some.length;
  };
  const planned = Math.max(1, 1 + Math.ceil((expected - size) / step));
  let last = 0;
  for await (const { ids } of aheadInOrder(planned, options.reads ?? READS_AT_ONCE, (index) => page(index * step))) last = next(ids);
  for (let offset = planned * step; last === size; offset += step) last = next((await page(offset)).ids);
  return read;
}

/**
 * Whether a page follows the one before it with nothing moved between their reads: it begins on
 * that page's last id; or, when that page was short (the collection ended there), it is empty.
 * A delete or an insert before the boundary shifts the later page (a delete skips an id), and an
 * answer cut short leaves a gap: either shows here.
 */
function joins(before: string[], page: string[], size: number): boolean {
  if (before.length < size) return page.length === 0;
  return page.length > 0 && page[0] === before[before.length - 1];
}

/** A `get` answer as records (absent columns as null). */
export function pageRecords(page: GetPage): BackupRecord[] {
  return page.ids.map((id, index) => ({
    id,
    document: page.documents?.[index] ?? null,
    metadata: page.metadatas?.[index] ?? null,
    embedding: page.embeddings?.[index] ?? null,
    uri: page.uris?.[index] ?? null,
  }));
}

/** Ids handed out a page at a time (a CompactIdSet, or ids of two kinds one after the other), never decoded all at once. */
export interface IdPages {
  readonly size: number;
  slice(start: number, end: number): string[];
}

/** The records with these ids (those the collection still holds; a missing id is simply absent), in pages, the next ones read ahead. */
export async function* recordsByIds(api: ChromaApi, collectionId: string, ids: readonly string[] | IdPages, options: IdListOptions): AsyncGenerator<BackupRecord[]> {
  for await (const page of pagesByIds(api, collectionId, ids, options, ['embeddings', 'documents', 'metadatas', 'uris'])) yield pageRecords(page);
}

/** The records of these ids the collection holds, without their embeddings (`embedding` null): what their values are, cheaply. */
export async function valuesByIds(api: ChromaApi, collectionId: string, ids: readonly string[], options: IdListOptions): Promise<BackupRecord[]> {
  const records: BackupRecord[] = [];
  for await (const page of pagesByIds(api, collectionId, ids, options, ['documents', 'metadatas', 'uris'])) records.push(...pageRecords(page));
  return records;
}

/**
 * The ids among these that the collection holds now, asked by id (ids only, `pageSize` a request,
 * 300 by default): what a prune asks of the source before deleting, rather than trusting an
 * offset listing the source may have shifted.
 */
export async function idsHeld(api: ChromaApi, collectionId: string, ids: readonly string[] | IdPages, options: IdListOptions): Promise<Set<string>> {
  const held = new Set<string>();
  for await (const page of pagesByIds(api, collectionId, ids, options, [])) for (const id of page.ids) held.add(id);
  return held;
}

/** `get` answers for these ids, `include` of each, `pageSize` ids a request (300 by default), the next ones read ahead. */
async function* pagesByIds(api: ChromaApi, collectionId: string, ids: readonly string[] | IdPages, options: IdListOptions, include: GetInclude): AsyncGenerator<GetPage> {
  const size = options.pageSize ?? CLOUD_PAGE;
  const ask = (some: string[]) => options.call(() => api.get(collectionId, { ids: some, include }, { signal: options.signal }));
  const read = (index: number) => wholeAnswer(ask, ids.slice(index * size, (index + 1) * size));
  const total = 'size' in ids ? ids.size : ids.length;
  for await (const pages of aheadInOrder(Math.ceil(total / size), options.reads ?? READS_AT_ONCE, read)) yield* pages;
}

/**
 * Every record of these ids that the collection holds: an answer that leaves some out is asked
 * again for those, until one holds none of them, and only those count as absent. A server or a
 * proxy that cuts answers short (a read limit below the ids asked) would otherwise pass records
 * it holds for records it lacks.
 */
export async function wholeAnswer(ask: (ids: string[]) => Promise<GetPage>, ids: string[]): Promise<GetPage[]> {
  const pages: GetPage[] = [];
  let left = ids;
  while (left.length > 0) {
    const page = await ask(left);
    pages.push(page);
    const got = new Set(page.ids);
    const rest = left.filter((id) => !got.has(id));
    // Everything answered, or nothing (those are absent); an answer of ids not asked for moves nothing on.
    if (rest.length === 0 || rest.length === left.length) break;
    left = rest;
  }
  return pages;
}

type GetInclude = Parameters<ChromaApi['get']>[1]['include'];
