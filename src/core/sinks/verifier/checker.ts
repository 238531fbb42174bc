/**
 * Compares records with what a target holds, batch by batch: the part of verify that both the
 * file pass (`verify`, verify.ts) and a copy (each batch as the target commits it, copy.ts) use.
 * Reads of the target stay in flight while the next batch arrives; the comparison runs in order.
 */
import type { BackupRecord, CollectionHeader, Embedding, Space } from '../../model/record.js';
import { spaceOf, type ChromaApi, type CollectionInfo, type GetPage } from '../../chroma/api.js';
import type { EmbeddingCheck } from '../../chroma/float-page.js';
import { wholeAnswer } from '../../chroma/id-list.js';
import type { ServerModel } from '../../chroma/capabilities.js';
import { checkCollectionSettings, type CollectionSettingsVerdict } from '../../collection/settings-verdict.js';
import { compareMetadata, TARGET_AGAINST_SOURCE, type ComparedSides } from '../../model/compare-values.js';
import { sameFloat32s } from '../../model/float32.js';
import { factsOf } from '../../collection/compare.js';
import { DEFAULT_K, measureRecall, noRecall, TrueNeighbours, type IndexRecall } from './recall.js';

export interface CollectionVerdict {
  collection: string;
  /** The target database it was compared in, when the backup held several. */
  database?: string;
  /** What the target was compared with: the backup file, or the live source. */
  against: 'backup' | 'source';
  expected: number;
  count: number | null;
  exists: boolean;
  compared: number;
  missing: number;
  differing: number;
  /** Ids the target holds that the source does not (compared with the source only; a backup allows more). */
  extra: number;
  /**
   * Compared with a backup: how many records the target holds beyond the backup's (by the count;
   * ingested since, which a backup allows). Set when the verdict is concluded.
   */
  beyondBackup?: number;
  /** The first few of each, for the report; the counts above are complete. */
  missingIds: string[];
  extraIds: string[];
  /** `fields` names each difference: "document", "embedding", "uri", "metadata.score: the source has float 2.0, the target int 2". */
  differingIds: Array<{ id: string; fields: string[] }>;
  /**
   * Records the source listed and no longer held when verify read them (it changed during the
   * verify): neither compared nor missing, and the verdict cannot hold until it is run again.
   */
  goneAtSource?: { count: number; ids: string[] };
  /**
   * A copy's closing check: records the source holds that it did not hold when the copy read it
   * (added since), so neither the backup nor the target has them. Not a loss of what was read;
   * the target is not the source's equal until they are sent too (the copy again, or sync).
   */
  addedAtSource?: { count: number; ids: string[] };
  /** Records the target refuses, left out at import (--skip-invalid) and listed in the rejects file: not expected. */
  refused?: { count: number; ids: string[]; file: string };
  /**
   * Of the missing records, those the rejects file says another address (`by`: a proxy in front,
   * another URL of the server) refused as too large (413) when they were sent. Counted in
   * `missing`: a 413 excuses a record only on the address that answered it (rejects-trust.ts).
   */
  tooLargeElsewhere?: { count: number; ids: string[]; by: string[]; file: string };
  /** Metadata keys whose sparse vectors the target does not hold (import --drop-sparse), with how many records. */
  sparseNotCarried: Record<string, number>;
  /** The target index's recall@k on a sample: measured and reported, never part of `ok`. */
  recall: IndexRecall;
  /** The collection itself: embedding function, space, HNSW, schema (collection/verify-collection.ts). */
  settings: CollectionSettingsVerdict | null;
  ok: boolean;
}

export function emptyVerdict(collection: string, expected: number): CollectionVerdict {
  return {
    collection,
    against: 'backup',
    expected,
    count: null,
    exists: false,
    compared: 0,
    missing: 0,
    differing: 0,
    extra: 0,
    missingIds: [],
    extraIds: [],
    differingIds: [],
    sparseNotCarried: {},
    recall: noRecall(),
    settings: null,
    ok: false,
  };
}

/** Records set aside as refused by the target (a rejects file): not expected, and listed as such. */
export function markRefused(verdict: CollectionVerdict, ids: ReadonlySet<string>, file: string): void {
  if (ids.size === 0) return;
  verdict.refused = { count: ids.size, ids: [...ids].slice(0, 10), file };
}

/** Verified: at least one collection, and every one of them holds. */
export function allVerified(verdicts: CollectionVerdict[]): boolean {
  return verdicts.length > 0 && verdicts.every((verdict) => verdict.ok);
}

/**
 * The collection itself on the target, into the verdict: found, its count and its settings as
 * importing `header` into this server would make them; not found, every record missing.
 * `knownId`: the id the records went into (a copy's), counted beside the lookup instead of after
 * it, a round trip less at the end of each collection; the count holds only when the lookup finds
 * that same collection, and is taken again by the id found otherwise.
 */
export async function checkTargetCollection(
  verdict: CollectionVerdict,
  header: CollectionHeader,
  target: { api: ChromaApi; call: RecordCheckerOptions['call']; server: ServerModel; cloud: boolean; signal?: AbortSignal; knownId?: string },
): Promise<CollectionInfo | null> {
  const { api, call, signal, knownId } = target;
  const counted = knownId === undefined ? null : call(() => api.count(knownId, { signal }));
  counted?.catch(() => undefined); // awaited below when the lookup finds that collection
  const info = await call(() => api.findCollection(verdict.collection, { signal }));
  if (!info) {
    verdict.missing = verdict.expected;
    return null;
  }
  verdict.exists = true;
  verdict.count = counted && info.id === knownId ? await counted : await call(() => api.count(info.id, { signal }));
  verdict.settings = checkCollectionSettings(header, info, target.server, { cloud: target.cloud });
  return info;
}

/**
 * Everything compared: the verdict holds when nothing is missing or different, and nothing was
 * lost. Data equality decides; the index's recall is reported beside it, never counted here.
 */
/**
 * Records found equal, of the `expected`: never more than those (a copy also compares records it
 * sent that the source deleted during the export), never fewer than none (a collection absent
 * from the target compared nothing).
 */
export function equalRecords(verdict: Pick<CollectionVerdict, 'expected' | 'compared' | 'missing' | 'differing'>): number {
  return Math.max(0, Math.min(verdict.expected, verdict.compared - verdict.missing - verdict.differing));
}

export function concludeVerdict(verdict: CollectionVerdict): void {
  if (verdict.against === 'backup' && verdict.exists) verdict.beyondBackup = Math.max(0, (verdict.count ?? 0) - (verdict.expected - verdict.missing));
  // More records than the backup is not a loss: step 7 ingests new data into the same collection.
  verdict.ok =
    verdict.exists &&
    verdict.missing === 0 &&
    verdict.extra === 0 &&
    verdict.differing === 0 &&
    (verdict.count ?? 0) >= verdict.expected &&
    verdict.compared >= verdict.expected &&
    (verdict.addedAtSource?.count ?? 0) === 0 &&
    (verdict.settings?.differences.length ?? 0) === 0;
}

/**
 * The target's recall@k on `samples`, against their true neighbours among `records` (every
 * record of the backup, or of the source), into the verdict. The collection is looked up again:
 * its id and its `ef_search` as the target has them now.
 */
export async function measureTargetRecall(
  verdict: CollectionVerdict,
  samples: BackupRecord[],
  records: AsyncIterable<BackupRecord[]>,
  target: { api: ChromaApi; call: RecordCheckerOptions['call']; signal?: AbortSignal; k?: number },
): Promise<void> {
  if (samples.length === 0 || !verdict.exists) return;
  const { api, call, signal } = target;
  const info = await call(() => api.findCollection(verdict.collection, { signal }));
  if (!info) return;
  const truth = new TrueNeighbours(samples, spaceOf(info) ?? 'l2', target.k ?? DEFAULT_K);
  for await (const batch of records) truth.add(batch);
  verdict.recall = await measureRecall(truth, { api, call, collectionId: info.id, efSearch: factsOf(info).hnsw.ef_search ?? null, signal });
}

/** Ids named per kind of difference in a report. */
export const LISTED = 20;
/** Reads (and self-queries) of the target in flight while comparing, unless told otherwise. */
const READS_IN_FLIGHT = 4;
/** Ids per read, unless told otherwise: within what every server (and Cloud's quota of 300) answers. */
const READ_SIZE = 250;

export interface RecordCheckerOptions {
  api: ChromaApi;
  /** Wraps each request in the caller's retry and error wording. */
  call: <T>(work: () => Promise<T>) => Promise<T>;
  collectionId: string;
  space: Space | null;
  /** How many records are kept as recall queries, spread over `expected`. */
  sample: number;
  /** What the records are compared with, as the words name it: "the source" (default) or "the backup". */
  reference?: string;
  /** Ids per read (default 250) and reads in flight (default 4). */
  readSize?: number;
  readsInFlight?: number;
  signal?: AbortSignal;
  /** Told each id the target lacks, as it is counted missing. */
  onMissing?: (id: string) => void;
}

/**
 * Reads back each batch it is given and compares it into `verdict`. `check` returns once the
 * batch's read is under way (and waits only while `readsInFlight` reads are), `finish` once
 * every read is compared. It keeps a sample of the records for measureTargetRecall.
 */
export class RecordChecker {
  private readonly pending: Array<{ batch: BackupRecord[]; page: Promise<GetPage[]> }> = [];
  /** Records kept (spread over the collection) to measure the index's recall with. */
  readonly samples: BackupRecord[] = [];
  private readonly sampleEvery: number;
  private seen = 0;

  constructor(
    readonly verdict: CollectionVerdict,
    private readonly options: RecordCheckerOptions,
  ) {
    this.sampleEvery = Math.max(1, Math.floor(verdict.expected / Math.max(1, options.sample)));
  }

  async check(records: BackupRecord[]): Promise<void> {
    const { api, call, collectionId, signal } = this.options;
    const size = this.options.readSize ?? READ_SIZE;
    for (let from = 0; from < records.length; from += size) {
      const batch = records.slice(from, from + size);
      const embeddingCheck = expectedEmbeddings(batch, this.options.space);
      // An answer cut short (a proxy's limit) is asked again for the ids it left out: only an id no answer holds is missing.
      const ask = (ids: string[]) => call(() => api.get(collectionId, { ids, include: ['embeddings', 'documents', 'metadatas', 'uris'] }, { signal, embeddingCheck }));
      const page = wholeAnswer(ask, batch.map((record) => record.id));
      page.catch(() => undefined); // awaited in turn by settle()
      this.pending.push({ batch, page });
      if (this.pending.length >= (this.options.readsInFlight ?? READS_IN_FLIGHT)) await this.settle();
    }
  }

  /** Compares what is still in flight. */
  async finish(): Promise<void> {
    while (this.pending.length > 0) await this.settle();
  }

  /** Stopped early: nothing in flight is left unobserved. */
  abandon(): void {
    for (const { page } of this.pending.splice(0)) page.catch(() => undefined);
  }

  private async settle(): Promise<void> {
    const { batch, page } = this.pending.shift() as (typeof this.pending)[number];
    const sides = { stored: 'the target', expected: this.options.reference ?? TARGET_AGAINST_SOURCE.expected };
    compareBatch(batch, await page, this.verdict, this.options, sides);
    for (const record of batch) {
      if (record.embedding && this.seen % this.sampleEvery === 0 && this.samples.length < this.options.sample) this.samples.push(record);
      this.seen++;
    }
  }
}

/**
 * The batch's embeddings, for the read-back to compare as it parses (float-page.ts), without a
 * float32 array per record read back. Undefined when an id comes twice in the batch: each of its
 * records must then be compared with what the target holds, not only the last one.
 */
function expectedEmbeddings(batch: readonly BackupRecord[], space: Space | null): EmbeddingCheck | undefined {
  const byId = new Map<string, Embedding | null>();
  for (const record of batch) byId.set(record.id, record.embedding);
  if (byId.size !== batch.length) return undefined;
  return { expected: (id) => byId.get(id), steps: float32Steps(space) };
}

function compareBatch(batch: BackupRecord[], pages: GetPage[], verdict: CollectionVerdict, { space, onMissing }: Pick<RecordCheckerOptions, 'space' | 'onMissing'>, sides: ComparedSides): void {
  const byId = new Map<string, { page: GetPage; index: number }>();
  for (const page of pages) page.ids.forEach((id, index) => byId.set(id, { page, index }));
  for (const record of batch) {
    verdict.compared++;
    const found = byId.get(record.id);
    if (found === undefined) {
      verdict.missing++;
      if (verdict.missingIds.length < LISTED) verdict.missingIds.push(record.id);
      onMissing?.(record.id);
      continue;
    }
    const { page, index } = found;
    // Compared as the answer was parsed; a Uint8Array, so never a field of the server's own.
    const matched = page.embeddingsMatch instanceof Uint8Array ? page.embeddingsMatch : null;
    const stored = { id: record.id, document: page.documents?.[index] ?? null, metadata: page.metadatas?.[index] ?? null, embedding: page.embeddings?.[index] ?? null, uri: page.uris?.[index] ?? null };
    const { fields, sparseNotCarried } = recordDifferences(stored, record, space, matched ? matched[index] === 1 : undefined, sides);
    for (const key of sparseNotCarried) verdict.sparseNotCarried[key] = (verdict.sparseNotCarried[key] ?? 0) + 1;
    if (fields.length > 0) {
      verdict.differing++;
      if (verdict.differingIds.length < LISTED) verdict.differingIds.push({ id: record.id, fields });
    }
  }
}

/**
 * What differs between a record as a server holds it and the record expected, field by field
 * ("document", "metadata.score: …", "embedding", "uri"), and the sparse vectors it does not hold.
 */
export function recordDifferences(
  stored: BackupRecord,
  expected: BackupRecord,
  space: Space | null,
  /** The embeddings already compared (as the read-back was parsed): whether they were the same. */
  sameEmbeddings?: boolean,
  sides: ComparedSides = TARGET_AGAINST_SOURCE,
): { fields: string[]; sparseNotCarried: string[] } {
  const fields: string[] = [];
  if (stored.document !== expected.document) fields.push('document');
  const metadata = compareMetadata(stored.metadata, expected.metadata, sides);
  for (const difference of metadata.differences) fields.push(`metadata.${difference}`);
  if (!(sameEmbeddings ?? sameEmbedding(stored.embedding, expected.embedding, space))) fields.push('embedding');
  if (stored.uri !== expected.uri) fields.push('uri');
  return { fields, sparseNotCarried: metadata.sparseNotCarried };
}

/**
 * Chroma stores float32, so compare at that precision. In "cosine" space the server normalises
 * vectors and gives some values back a float32 step or two off (3 → 3.0000002; measured on the
 * bundled 1.5.9 over 18,832 values of 16-d vectors: 75% exact, 25% one step, 2 values two
 * steps): there a value may be two steps away; in "l2" and "ip" it must be the same float32.
 */
export function sameEmbedding(stored: Embedding | null, expected: Embedding | null, space: Space | null = 'l2'): boolean {
  if (stored === null || expected === null) return stored === expected;
  return sameFloat32s(stored, stored.length, expected, float32Steps(space));
}

/**
 * The space two collections' records are compared in: cosine's tolerance only when both sides are
 * cosine. A target in another space than its source does not normalise, so its values must come
 * back exact; taking the stricter side means verify and sync never pass what the other fails.
 */
export function comparisonSpace(source: Space | null, target: Space | null): Space | null {
  return source === 'cosine' ? target : source;
}

/** The float32 steps a value read back may be from the one sent, in `space` (see sameEmbedding). */
function float32Steps(space: Space | null): number {
  return space === 'cosine' ? 2 : 0;
}
