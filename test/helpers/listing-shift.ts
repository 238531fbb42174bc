import type { FaultProxy, FaultRules } from './fault-proxy.js';

/**
 * A source that changes between two pages of one of its id listings, for a fault proxy in front of
 * it: once the listing's first page (an ids-only `get` at offset 0) has been answered, and before
 * its next page is forwarded, `change` runs (typically: one record deleted before that offset and
 * another added, so the count holds while every later page shifts by one and an id is skipped).
 * Pages of records (a copy's export) and reads by id are not listings and pass untouched.
 */
export interface ListingShift {
  /** The proxy's rules: bodies kept (to see when the first page was answered) and the hook. */
  rules: FaultRules;
  /** Whether `change` has run. */
  readonly fired: boolean;
  /** Ids-only listings begun so far (first pages seen). */
  readonly listings: number;
}

export function shiftListing(
  proxy: () => FaultProxy,
  options: {
    /** Only this collection's listings count; every collection's when not given. */
    collectionId?: string;
    /** The listing (1 for the first) whose pages the change goes between. */
    listing?: number;
    change: () => Promise<void>;
  },
): ListingShift {
  const which = options.listing ?? 1;
  const path = new RegExp(`${options.collectionId ?? '[^/]+'}/get$`);
  const state = { fired: false, listings: 0 };
  const isFirstPage = (body: string | undefined) => {
    if (body === undefined) return false;
    const request = JSON.parse(body) as { offset?: number; include?: unknown[] };
    return request.offset === 0 && request.include?.length === 0;
  };
  const firstPageAnswered = () => {
    const firsts = proxy().log.filter((entry) => path.test(entry.path) && isFirstPage(entry.body));
    return firsts.length > 0 && firsts[firsts.length - 1]!.endedAt !== undefined;
  };
  const rules: FaultRules = {
    keepBodies: true,
    beforeForward: {
      paths: path,
      run: async (request) => {
        const idsOnly = Array.isArray(request.include) && request.include.length === 0 && typeof request.offset === 'number';
        if (!idsOnly) return;
        if (request.offset === 0) state.listings++;
        if (state.fired || state.listings !== which || (request.offset as number) === 0) return;
        state.fired = true;
        while (!firstPageAnswered()) await new Promise((resolve) => setTimeout(resolve, 5));
        await options.change();
      },
    },
  };
  return {
    rules,
    get fired() {
      return state.fired;
    },
    get listings() {
      return state.listings;
    },
  };
}
