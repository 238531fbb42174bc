/**
 * Before an import writes anything: can the target hold every value in the backup? What it
 * cannot hold stops the import, named by key, collection and count, with what to do — never a
 * silent drop. Sparse vectors may be left out on request (--drop-sparse); the backup keeps them.
 */
import type { CollectionHeader } from '../backup/types.js';
import { MigrateError } from '../errors.js';
import type { Metadata } from './types.js';
import { isSparseVector } from './types.js';

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
}

const count = (n: number) => n.toLocaleString('en-US');
const records = (n: number) => `${count(n)} record${n === 1 ? '' : 's'}`;
const keyList = (keys: Record<string, number>) =>
  Object.entries(keys)
    .map(([key, n]) => `"${key}" (${records(n)})`)
    .join(', ');

/** Throws when a collection holds what the target cannot; returns warnings for what is left out by choice. */
export function checkValuesFit(headers: CollectionHeader[], target: TargetHolds, options: FitOptions): string[] {
  const warnings: string[] = [];
  for (const header of headers) {
    if (header.sparseKeys && !target.sparse) {
      if (!options.dropSparse) {
        throw new MigrateError(
          'CANNOT_HOLD',
          `Collection "${header.name}" holds sparse vectors in metadata ${keyList(header.sparseKeys)}; a self-hosted Chroma server cannot store sparse vectors (only Chroma Cloud can). Nothing was written.`,
          'Import without them: run again with --drop-sparse. The backup keeps them, and every other value is imported; searches that use the sparse vectors (hybrid search) will not work on the new server.',
        );
      }
      warnings.push(`Leaving out sparse vectors in "${header.name}": ${keyList(header.sparseKeys)}, as chosen (--drop-sparse). The backup keeps them.`);
    }
    if (header.listKeys && !target.arrays) {
      throw new MigrateError(
        'CANNOT_HOLD',
        target.known
          ? `Collection "${header.name}" holds lists in metadata ${keyList(header.listKeys)}, but the target server is older than Chroma 1.5 and cannot store lists. Nothing was written.`
          : `Collection "${header.name}" holds lists in metadata ${keyList(header.listKeys)}, and the target did not say whether it can store them (its /openapi.json could not be read; lists need Chroma 1.5 or newer). Nothing was written.`,
        target.known
          ? 'Upgrade the target to Chroma 1.5 or newer (the deploy guide pins chromadb/chroma:1.5.9), then run the import again.'
          : 'Let /openapi.json through the proxy in front of Chroma, or check the server runs Chroma 1.5 or newer, then run the import again.',
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
