/**
 * Proves a re-embed: every record of the source is in the new collection with the same
 * document, metadata and uri (or was left out for having no document, by choice), nothing else
 * is there, and the new vectors are the endpoint's: a sample is embedded again and compared.
 */
import type { ChromaApi } from '../chroma/api.js';
import { recordsByIds } from '../chroma/id-list.js';
import { compareMetadata } from '../model/compare-values.js';
import type { BackupRecord, Embedding, Space } from '../model/record.js';
import { sameEmbedding } from '../sinks/verifier/checker.js';
import { cosine } from './compare.js';
import { embedAll, sourcePages, type Embedder } from './reembed-records.js';

/** Listed ids per kind, at most. */
const LISTED = 10;
/** The same text embedded twice by the same server: equal but for rounding. */
const SAME_VECTOR_COSINE = 0.9999;
const READ = 250;

export interface ReembedVerdict {
  sourceCount: number;
  count: number;
  compared: number;
  missing: number;
  missingIds: string[];
  differing: number;
  differingIds: Array<{ id: string; fields: string[] }>;
  /** Source records without a document, and whether they were kept with their old vector. */
  undocumented: number;
  undocumentedIds: string[];
  keptUndocumented: boolean;
  /** Documents embedded again for the proof, and how many came back as stored. */
  sampled: number;
  sampleEqual: number;
  ok: boolean;
}

export async function verifyReembed(
  api: ChromaApi,
  source: { id: string; count: number },
  target: { id: string; space: Space | null },
  options: { embedder: Embedder; keepUndocumented: boolean; sample: number; call: <T>(work: () => Promise<T>) => Promise<T>; signal?: AbortSignal },
): Promise<ReembedVerdict> {
  const verdict: ReembedVerdict = {
    sourceCount: source.count, count: 0, compared: 0, missing: 0, missingIds: [], differing: 0, differingIds: [],
    undocumented: 0, undocumentedIds: [], keptUndocumented: options.keepUndocumented, sampled: 0, sampleEqual: 0, ok: false,
  };
  const every = Math.max(1, Math.floor(source.count / Math.max(1, options.sample)));
  const sample: Array<{ document: string; stored: Embedding }> = [];
  const pages = sourcePages(api, source, { start: 0, pageSize: READ, withEmbeddings: options.keepUndocumented, signal: options.signal, call: options.call });
  for await (const page of pages) {
    const byId = await readBack(api, target.id, page.records, options);
    page.records.forEach((record, n) => {
      const stored = byId.get(record.id);
      if (record.document === null) {
        verdict.undocumented++;
        if (verdict.undocumentedIds.length < LISTED) verdict.undocumentedIds.push(record.id);
        if (!options.keepUndocumented) return;
      }
      verdict.compared++;
      if (stored === undefined) {
        verdict.missing++;
        if (verdict.missingIds.length < LISTED) verdict.missingIds.push(record.id);
        return;
      }
      const fields = differences(record, stored, options.keepUndocumented, target.space);
      if (fields.length > 0) {
        verdict.differing++;
        if (verdict.differingIds.length < LISTED) verdict.differingIds.push({ id: record.id, fields });
      }
      if (record.document !== null && stored.embedding && (page.offset + n) % every === 0 && sample.length < options.sample) sample.push({ document: record.document, stored: stored.embedding });
    });
  }
  verdict.count = await options.call(() => api.count(target.id, { signal: options.signal }));
  const again = await embedAll(options.embedder, sample.map((entry) => entry.document));
  verdict.sampled = sample.length;
  verdict.sampleEqual = sample.filter((entry, i) => cosine(entry.stored, again[i] as Float32Array) >= SAME_VECTOR_COSINE).length;
  verdict.ok = verdict.missing === 0 && verdict.differing === 0 && verdict.count === verdict.compared && verdict.sampleEqual === verdict.sampled;
  return verdict;
}

/**
 * What the new collection holds of these records, by id. An answer cut short (Cloud cuts a `get`
 * to 300, a proxy anywhere) is asked again for the ids it left out (recordsByIds): only an id no
 * answer holds is missing, never one a short answer passed over.
 */
async function readBack(api: ChromaApi, collectionId: string, records: readonly BackupRecord[], options: { call: <T>(work: () => Promise<T>) => Promise<T>; signal?: AbortSignal }): Promise<Map<string, BackupRecord>> {
  const byId = new Map<string, BackupRecord>();
  const ids = records.map((record) => record.id);
  for await (const some of recordsByIds(api, collectionId, ids, { call: options.call, signal: options.signal, pageSize: READ })) {
    for (const record of some) byId.set(record.id, record);
  }
  return byId;
}

const REEMBED_SIDES = { stored: 'the new collection', expected: 'the original' };

function differences(record: BackupRecord, stored: BackupRecord, keepUndocumented: boolean, space: Space | null): string[] {
  const fields: string[] = [];
  if (stored.document !== record.document) fields.push('document');
  for (const difference of compareMetadata(stored.metadata, record.metadata, REEMBED_SIDES).differences) fields.push(`metadata.${difference}`);
  if (stored.uri !== record.uri) fields.push('uri');
  // A kept record without a document must still hold its old vector.
  if (record.document === null && keepUndocumented && !sameEmbedding(stored.embedding, record.embedding, space)) fields.push('embedding');
  return fields;
}
