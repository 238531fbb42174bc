/**
 * A collection's end check as the export run takes it: the file's ids against the source's
 * (end-check.ts), listed ahead for a collection read in one page, and for a copy's last
 * collection once every page is read, beside the landing of every record sent, so that one
 * listing of the source serves the export and the copy's closing check (the shared end check).
 * And what it found, in words.
 */
import type { BackupRecord } from '../../model/record.js';
import type { CollectionInfo } from '../../chroma/api.js';
import { count, inQuotes, shown } from '../../util/format.js';
import { checkAgainstSource, type EndCheck } from './end-check.js';
import type { CollectionRun } from './export-types.js';

/**
 * The file's ids against the source's ids as they are now (end-check.ts). `shared`: the sink
 * compares the same listing with what it holds, and the end check also waits for every record
 * pushed to land (the collections' before this one too). The source is listed at once, beside
 * that wait: every page is read, so the listing is the source as the copy ends, whichever comes
 * first; the sink lists its own side once the records have landed (settle). Listed after the
 * landing instead, a 20k-record copy over +80 ms to the source ended ~1 s later, the listing's
 * own time, with the target idle.
 */
export async function endCheck(
  run: CollectionRun,
  info: CollectionInfo,
  how: { shared: boolean; readOne: boolean; sourceIds?: Promise<string[] | null> },
  add: (records: BackupRecord[]) => Promise<void>,
): Promise<EndCheck> {
  const { options, progress, api, call, writer, state } = run;
  progress({ type: 'phase', message: `Checking ${inQuotes(info.name)} against the source's ids${how.shared ? ' while its last records land' : ''}` });
  // Collections before this one may still be landing, side by side (handOver). The sink's
  // listing is taken against the file's ids, which the check below may add to (ids-against.ts).
  const landing = how.shared ? Promise.all(state.landing.map((entry) => entry.sink.landed())).then(() => state.sink?.settle?.(writer.openIds.ids)) : null;
  landing?.catch(() => undefined); // awaited below
  // Listed ahead only holds when the one page read was short (the read ended there): a full page
  // means the collection grew, and later pages were read after that listing.
  const listed = !how.shared && how.sourceIds && how.readOne ? ((await how.sourceIds) ?? undefined) : undefined;
  const checked = checkAgainstSource(api, info.id, writer.openIds, {
    call: (work) => call(info.name, work),
    signal: options.signal,
    name: info.name,
    listed,
    // Every page was read: nothing else of the export reads this collection now.
    ...(how.shared ? { reads: SHARED_LISTING_READS } : {}),
    add,
  });
  if (!landing) return checked;
  const [end] = await Promise.all([checked, landing]);
  return end;
}

/** Pages in flight of a listing taken once every page was read: 8 of the 10 concurrent reads Cloud allows a collection. */
const SHARED_LISTING_READS = 8;

/** "2,000 added after they were missed, 2,000 deleted during the export": null when the source held still. */
export function describeChange(name: string, end: EndCheck): string | null {
  if (end.added === 0 && end.deletedIds.length === 0) return null;
  const parts = [
    end.added > 0 ? `${count(end.added)} added after they were missed` : '',
    end.deletedIds.length > 0 ? `${count(end.deletedIds.length)} deleted during the export (left out of the backup: ${end.deletedIds.slice(0, 5).map(shown).join(', ')}${end.deletedIds.length > 5 ? ', …' : ''})` : '',
  ].filter(Boolean);
  return `The source changed while ${inQuotes(name)} was read: ${parts.join(', ')}. The backup holds what the source held at the end.`;
}
