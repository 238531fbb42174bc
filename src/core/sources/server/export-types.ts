/**
 * What an export takes and gives (its options, its second sink's contract, its result), and what
 * its collections share while it runs (ExportState, CollectionRun): the parts of export-pump.ts,
 * hand-over.ts and collection-end.ts meet here.
 */
import type { BackupRecord, CollectionHeader } from '../../model/record.js';
import type { BackupWriter } from '../../backup/jsonl/writer.js';
import type { ChromaApi, CollectionInfo } from '../../chroma/api.js';
import type { Endpoint } from '../../chroma/endpoint.js';
import type { ProgressListener } from '../../util/progress.js';
import type { CompactIdSet } from '../../util/compact-ids.js';
import type { IdsAgainst } from '../../util/ids-against.js';
import type { ExportCheckpoint } from '../../state/schema.js';
import type { ReplaceChoice } from '../../state/replace-out.js';
import type { ReadWindow } from './read-window.js';
import type { Lookahead } from './lookahead.js';
import type { Paging } from './pages.js';

/** `overwrite`/`decideReplace`: an --out already there that is not this export's own (replace-out.ts). */
export interface ExportOptions extends ReplaceChoice {
  source: Endpoint;
  out: string;
  /** Names to export; all when empty. */
  collections?: string[];
  /** Records per read: by default 300 from Cloud (its quota), serverPageSize from any other server. */
  pageSize?: number;
  concurrency?: number;
  statePath: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** How often (records) the partial file is flushed and the checkpoint saved. */
  checkpointEvery?: number;
  /** Collections open at once (default DEFAULT_PARALLEL): see lookahead.ts; as many write at once (handOver). */
  parallel?: number;
  /** Also hands every page to this (a copy's import): see ExportSink. */
  sink?: ExportSink;
  /** The source's collections as the caller listed them a moment ago (a copy, checking them against its target first): not listed again. */
  listed?: CollectionInfo[];
}

/**
 * A consumer of the pages as they are read, e.g. a copy upserting them into the target. The
 * export checkpoints no further than the sink has made safe, so one resume point serves both:
 * after a crash the export reads again, and the sink receives again, from the same record.
 */
export interface ExportSink {
  /**
   * Called before the collection's first page; `resumed`: the export is continuing it from
   * `start`. `run` names this export over its resumes (ExportCheckpoint.run). `sourceId`: the
   * collection's id on the source, so that a sink never writes into the collection it reads.
   */
  open(header: CollectionHeader, place: { resumed: boolean; start: number; run: string; sourceId: string }): CollectionSink;
  /**
   * Every collection's sink has ended (all their records are safe downstream); the file's own
   * finishing work (its end, the rewrite of what the source dropped, its read back) comes next.
   */
  allEnded?(): void;
}

export interface CollectionSink {
  /** Takes the next page; resolves when there is room for another (backpressure), rejects when the sink failed. */
  push(records: BackupRecord[]): Promise<void>;
  /** Records from the collection's start that are safe downstream. */
  readonly committed: number;
  /** Calls `listener` each time `committed` moves (a resume point may have been reached). */
  onCommit(listener: () => void): void;
  /**
   * Present when the sink compares what it holds with the source's ids once everything has
   * landed (a copy's closing check): resolves when every record pushed so far is safe downstream.
   * `inFile`: the ids the file holds of the collection so far, which the sink may list its own
   * side against (ids-against.ts) instead of holding a set of its own.
   * The export's end check of the last collection lists the source once every page is read,
   * while it waits for this (and for the collection before to land), and hands that one listing
   * on with end(): the sink need not list the source again (at a million ids, a listing by offset
   * took ~4 minutes of the server).
   */
  settle?(inFile: CompactIdSet): Promise<void>;
  /**
   * No more pages (`exported` records in all, what the file holds at the end): resolves when the
   * sink has taken them all, maybe before they are safe downstream (see landed). `dropped`: ids
   * pushed earlier that the source no longer holds (deleted while the export ran), to be removed
   * downstream too. `listed`: the source's ids as the end check listed them beside settle() (against
   * the file's ids), which the file (and what was pushed) was brought to; absent when the end
   * check did not wait.
   */
  end(exported: number, dropped: string[], listed?: IdsAgainst): Promise<void>;
  /** After end: resolves when everything pushed is safe downstream, rejects when the sink failed. */
  landed(): Promise<void>;
  /** The export failed: stop, and wait for the sink to settle. */
  abort(error: unknown): Promise<void>;
}

/** One collection as the file holds it, and how the source changed while it was read (when it did). */
export interface ExportedCollection {
  name: string;
  /** Its database, in a file that holds several. */
  database?: string;
  count: number;
  /** Records the pages missed, read by id at the end. */
  added?: number;
  /** Records deleted at the source during the export, left out of the file; the first few ids. */
  deleted?: number;
  deletedIds?: string[];
}

export interface ExportResult {
  out: string;
  collections: ExportedCollection[];
  resumed: boolean;
  /** Credential fields of a collection's settings left out of the file, by path. */
  withheld: Array<{ collection: string; fields: string[] }>;
}

/** Where an export stands: its checkpoint (saved after each place the file can be cut) and the open collection's second sink. */
export interface ExportState {
  checkpoint: ExportCheckpoint;
  sink: CollectionSink | null;
  /**
   * Collections before the current one, oldest first, from the oldest not yet landed: every page
   * handed to their sinks, maybe not all landed.
   */
  landing: Array<{ sink: CollectionSink; landed: boolean }>;
  /** At most this many collections before the current one are not all on disk yet (landingDepthOf). */
  landingDepth: number;
  /** Settles when the collection before the current one has landed: saves asked for after it wait for it. */
  gate: Promise<void>;
  /** The last save asked for, on disk when it resolves. */
  saved: Promise<void>;
  /** A save failed: every later one fails too (they queue behind it), and the export stops. */
  saveFailed?: { error: unknown };
  /**
   * A collection in the file but not yet finished in the checkpoint: its end goes to disk with
   * the next collection's first save, and its own places are saved until then (`close` stops them).
   */
  finishing: { entry: ExportCheckpoint['finished'][number]; close: () => void } | null;
}

/** What exporting one collection needs from the run around it. */
export interface CollectionRun {
  options: ExportOptions;
  progress: ProgressListener;
  api: ChromaApi;
  call: <T>(collection: string | null, work: () => Promise<T>, window?: ReadWindow) => Promise<T>;
  reads: ReadWindow;
  paging: Paging;
  checkpointEvery: number;
  writer: BackupWriter;
  withheld: ExportResult['withheld'];
  lookahead: Lookahead<CollectionSink>;
  /** Saves a change once `gate` (by default the landing of the collection before the current one) settles. */
  save: (change: Partial<ExportCheckpoint>, gate?: Promise<void>) => Promise<void>;
  state: ExportState;
  /** ExportCheckpoint.run. */
  run: string;
}
