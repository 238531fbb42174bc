/**
 * Before an import writes anything: can the target hold every value in the backup? What it
 * cannot hold stops the import, named by key, collection and count, with what to do — never a
 * silent drop. Sparse vectors may be left out on request (--drop-sparse); the backup keeps them.
 */
import { MetadataKinds } from '../model/collection-check.js';
import type { BackupRecord, CollectionHeader } from '../model/record.js';
import type { ServerModel } from '../chroma/capabilities.js';
import { MigrateError } from '../util/errors.js';
import { inQuotes, plural } from '../util/format.js';
import type { Metadata } from '../model/values.js';
import { isSparseVector } from '../model/values.js';

export interface TargetHolds {
  /** Lists: Chroma 1.5 and newer. */
  arrays: boolean;
  /** Sparse vectors: Chroma Cloud only (a single node answers 501). */
  sparse: boolean;
  /** False when the server did not describe itself (/openapi.json): `arrays` is then a guess. */
  known: boolean;
}

export interface FitOptions {
  /** Import without the sparse-vector keys (the user said so). */
  dropSparse: boolean;
  /** What was (not) written when it stops; an import checks before anything is. */
  stopped?: string;
  /** The fix for sparse vectors, for a command without --drop-sparse. */
  sparseFix?: string;
}

/** What a server can hold: lists since 1.5 (known from /openapi.json), sparse vectors on Cloud only. */
export function targetHolds(server: ServerModel, cloud: boolean): TargetHolds {
  return { arrays: server.capabilities.arrays, sparse: cloud, known: server.openapi !== null };
}

/**
 * Checks one page of records on its way to the target, for a copy: its source says what its
 * values are only as they are read. Same verdict and words as checkValuesFit, with what the
 * copy has sent so far; returns the warnings for what is left out by choice.
 */
export function checkPageFits(header: CollectionHeader, records: readonly BackupRecord[], target: TargetHolds, options: FitOptions): string[] {
  const kinds = new MetadataKinds();
  for (const record of records) kinds.add(record.metadata);
  const { listKeys, sparseKeys } = kinds.summary();
  if (!listKeys && !sparseKeys) return [];
  return checkValuesFit([{ ...header, ...(listKeys ? { listKeys } : {}), ...(sparseKeys ? { sparseKeys } : {}) }], target, options);
}

const records = (n: number) => plural(n, 'record');
const keyList = (keys: Record<string, number>) =>
  Object.entries(keys)
    .map(([key, n]) => `${inQuotes(key)} (${records(n)})`)
    .join(', ');

/** Throws when a collection holds what the target cannot; returns warnings for what is left out by choice. */
export function checkValuesFit(headers: CollectionHeader[], target: TargetHolds, options: FitOptions): string[] {
  const warnings: string[] = [];
  const stopped = options.stopped ?? 'Nothing was written.';
  for (const header of headers) {
    if (header.sparseKeys && !target.sparse) {
      if (!options.dropSparse) {
        throw new MigrateError(
          'CANNOT_HOLD',
          `Collection ${inQuotes(header.name)} holds sparse vectors in metadata ${keyList(header.sparseKeys)}; a self-hosted Chroma server cannot store sparse vectors (only Chroma Cloud can). ${stopped}`,
          options.sparseFix ?? 'Leave them out: add --drop-sparse to the same command. The backup keeps them, and every other value is imported; searches that use the sparse vectors (hybrid search) will not work on the new server.',
        );
      }
      warnings.push(`Leaving out sparse vectors in ${inQuotes(header.name)}: ${keyList(header.sparseKeys)}, as chosen (--drop-sparse). The backup keeps them.`);
    }
    if (header.listKeys && !target.arrays) {
      throw new MigrateError(
        'CANNOT_HOLD',
        target.known
          ? `Collection ${inQuotes(header.name)} holds lists in metadata ${keyList(header.listKeys)}, but the target server is older than Chroma 1.5 and cannot store lists. ${stopped}`
          : `Collection ${inQuotes(header.name)} holds lists in metadata ${keyList(header.listKeys)}, and the target did not say whether it can store them (its /openapi.json could not be read; lists need Chroma 1.5 or newer). ${stopped}`,
        target.known
          ? 'Upgrade the target to Chroma 1.5 or newer (the deploy guide pins chromadb/chroma:1.5.9), then run the same command again.'
          : 'Let /openapi.json through the proxy in front of Chroma, or check the server runs Chroma 1.5 or newer, then run the same command again.',
      );
    }
  }
  return warnings;
}

/** The metadata without its sparse-vector values (a copy; the record read from the backup is left as it was). */
export function withoutSparse(metadata: Metadata | null): Metadata | null {
  if (metadata === null) return null;
  let out: Metadata | null = null;
  for (const key in metadata) {
    if (!isSparseVector(metadata[key])) continue;
    out ??= { ...metadata };
    delete out[key];
  }
  return out ?? metadata;
}
