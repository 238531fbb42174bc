/**
 * An --out that is already there is replaced only when it is this export's own earlier work (the
 * same file from the same source, holding no collection this run leaves out: the same export run
 * again), or when the user chose to replace it. Otherwise a new backup would silently take the
 * place of a user's file: a fuller backup, a Chroma database, anything.
 */
import { lstat } from 'node:fs/promises';
import { sep } from 'node:path';
import { MigrateError } from '../util/errors.js';
import type { ExportCheckpoint } from './schema.js';

export interface ReplaceChoice {
  /** --overwrite: the user chose to replace whatever file is there. */
  overwrite?: boolean;
  /** Asks a person whether to replace it (No unless they say so); absent: there is no one to ask. */
  decideReplace?: (path: string) => Promise<boolean>;
}

/** The file is not ours to replace, and no one chose to: said with the two ways on. */
class OutTakenError extends MigrateError {
  constructor(readonly path: string) {
    super('NEEDS_ANSWER', `${path} exists, and it is not a backup this export wrote before: it was left as it is, and nothing was written.`, 'Pick another --out, or add --overwrite to replace it.');
  }
}

export function isOutTaken(error: unknown): error is OutTakenError {
  return error instanceof OutTakenError;
}

/** What a run does with `out`, before anyone is asked: write it new, replace its own, replace it as chosen, or stop (`taken`). */
export type OutClaim = 'new' | 'ours' | 'overwrite' | 'taken';

/** The claim on `out` without asking anyone: what a dry run reports, and where a real run starts. */
export async function outClaim(out: string, ours: () => Promise<boolean> | boolean, overwrite: boolean): Promise<OutClaim> {
  if (!(await lstat(out).then(() => true, () => false))) return 'new';
  if (overwrite) return 'overwrite';
  return (await ours()) ? 'ours' : 'taken';
}

/** Returns once `out` may be written: it is new, ours (`ours()`), or the user chose to replace it. */
export async function claimOut(out: string, ours: () => Promise<boolean> | boolean, choice: ReplaceChoice): Promise<void> {
  if ((await outClaim(out, ours, choice.overwrite === true)) !== 'taken') return;
  if (choice.decideReplace && (await choice.decideReplace(out))) return;
  throw new OutTakenError(out);
}

/** A dry run's words for an --out the real run would stop at: the real run's, and what it would do. */
export function outTakenNote(path: string): string {
  const error = new OutTakenError(path);
  return `${error.message.replace(/: it was left as it is, and nothing was written\.$/, '')}: the real run would stop there and write nothing (at a terminal it asks first). ${error.fix}`;
}

/** An earlier run of this export wrote `out` from the source (one of its `sources` keys: chroma/endpoint.ts sourceKeys), and every collection it wrote is among `names`. */
export function writtenBySameExport(checkpoints: readonly ExportCheckpoint[], out: string, sources: readonly string[], names: readonly string[]): boolean {
  const entry = checkpoints.find((checkpoint) => checkpoint.out === out && sources.includes(checkpoint.source));
  return entry !== undefined && entry.collections.every((name) => names.includes(name));
}

/**
 * The one file of several databases: written from the parts under `out.databases/`, each its
 * own export of one database. Ours when such parts were exported from this tenant (`tenants`:
 * its keys, chroma/endpoint.ts sourceKeys), each of a database this run exports again (`namesIn`: its collections this run
 * takes, null when it does not take the database) and no collection of it left out now.
 */
export async function writtenBySameDatabasesExport(
  checkpoints: readonly ExportCheckpoint[],
  out: string,
  tenants: readonly string[],
  namesIn: (database: string) => Promise<string[] | null>,
): Promise<boolean> {
  const parts = checkpoints.filter((checkpoint) => checkpoint.out.startsWith(`${out}.databases${sep}`));
  if (parts.length === 0) return false;
  for (const part of parts) {
    const tenant = tenants.find((key) => part.source.startsWith(`${key}/`));
    if (tenant === undefined) return false;
    const names = await namesIn(part.source.slice(tenant.length + 1));
    if (names === null || !part.collections.every((name) => names.includes(name))) return false;
  }
  return true;
}
