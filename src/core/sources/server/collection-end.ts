/**
 * A collection's end check as the export run takes it: the file's ids against the source's
 * (end-check.ts), listed ahead for a collection read in one page, and for a copy's last
 * collection once every record sent has landed, so that one listing of the source serves the
 * export and the copy's closing check (the shared end check). And what it found, in words.
 */
import type { BackupRecord } from '../../model/record.js';
import type { CollectionInfo } from '../../chroma/api.js';
import { count } from '../../util/format.js';
import { checkAgainstSource, type EndCheck } from './end-check.js';
import type { CollectionRun } from './export-types.js';

/**
 * The file's ids against the source's ids as they are now (end-check.ts). `shared`: the sink
 * compares the same listing with what it holds, so it is taken once every record pushed has
 * landed (the collections' before this one too), as that comparison's own would have been.
 */
export async function endCheck(
  run: CollectionRun,
  info: CollectionInfo,
  how: { shared: boolean; readOne: boolean; sourceIds?: Promise<string[] | null> },
  add: (records: BackupRecord[]) => Promise<void>,
): Promise<EndCheck> {
  const { options, progress, api, call, writer, state } = run;
  if (how.shared) {
    progress({ type: 'phase', message: `Waiting for the last records of "${info.name}" to land` });
    // Collections before this one may still be landing, side by side (handOver).
    await Promise.all(state.landing.map((entry) => entry.sink.landed()));
    await state.sink?.settle?.(writer.openIds.ids);
  }
  progress({ type: 'phase', message: `Checking "${info.name}" against the source's ids` });
  // Listed ahead only holds when the one page read was short (the read ended there): a full page
  // means the collection grew, and later pages were read after that listing.
  const listed = !how.shared && how.sourceIds && how.readOne ? ((await how.sourceIds) ?? undefined) : undefined;
  return checkAgainstSource(api, info.id, writer.openIds, {
    call: (work) => call(info.name, work),
    signal: options.signal,
    listed,
    // Every page was read: nothing else of the export reads this collection now.
    ...(how.shared ? { reads: SHARED_LISTING_READS } : {}),
    add,
  });
}

/** Pages in flight of a listing taken once every page was read: 8 of the 10 concurrent reads Cloud allows a collection. */
const SHARED_LISTING_READS = 8;

/** "2,000 added after they were missed, 2,000 deleted during the export": null when the source held still. */
export function describeChange(name: string, end: EndCheck): string | null {
  if (end.added === 0 && end.deletedIds.length === 0) return null;
  const parts = [
    end.added > 0 ? `${count(end.added)} added after they were missed` : '',
    end.deletedIds.length > 0 ? `${count(end.deletedIds.length)} deleted during the export (left out of the backup: ${end.deletedIds.slice(0, 5).join(', ')}${end.deletedIds.length > 5 ? ', …' : ''})` : '',
  ].filter(Boolean);
  return `The source changed while "${name}" was read: ${parts.join(', ')}. The backup holds what the source held at the end.`;
}
