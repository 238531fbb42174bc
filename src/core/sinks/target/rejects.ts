/**
 * Records the target refuses, set aside (--skip-invalid) in a file next to the backup: one JSON
 * line per record with its collection, id, the reasons and the record itself, values typed as
 * in the backup, so nothing is lost and the file can be mended and imported again. verify reads
 * it back to list them as "refused by the target" rather than as missing (rejects-trust.ts says
 * which lines it believes).
 */
import { appendFile, readFile, rm } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import type { BackupRecord } from '../../model/record.js';
import { parseTyped, stringifyTyped } from '../../model/typed-json.js';
import { MigrateError } from '../../util/errors.js';
import { describeProblems, recordProblems, refusedCount, type Problem, type TargetRules } from './refusals.js';
import { inQuotes } from '../../util/format.js';
import { DEFAULT_DATABASE } from '../../chroma/endpoint.js';

export interface RefusedRecord {
  collection: string;
  /** The target database it was refused in (lines written before lines named theirs have none). */
  database?: string;
  id: string;
  problems: Problem[];
  record: BackupRecord;
  /**
   * The target's address as the run used it (addressOf: scheme, host, port and path, never a
   * user:password): a refusal as too large (413) is that address's answer, perhaps a proxy's
   * body limit, and says nothing of another. Lines written before lines named theirs have none.
   */
  refusedBy?: string;
}

export function rejectsPath(backup: string): string {
  return `${backup}.rejects.jsonl`;
}

function lines(refused: RefusedRecord[]): string {
  return refused
    .map(({ collection, database, id, problems, record, refusedBy }) =>
      stringifyTyped({
        collection,
        ...(database === undefined ? {} : { database }),
        id,
        problems,
        ...(refusedBy === undefined ? {} : { refusedBy }),
        record: { ...record, embedding: record.embedding === null ? null : Array.from(record.embedding) },
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** A fresh file (an import knows every refusal before it writes). */
async function writeRejects(path: string, refused: RefusedRecord[]): Promise<void> {
  await writeFileAtomic(path, lines(refused));
}

/** The ids set aside in one target database, by collection (a copy's run is of one database; see refusedIn). */
export async function readRejectedIds(path: string, database: string): Promise<Map<string, Set<string>>> {
  const byCollection = refusedIn(await readRejectedLines(path), database, true);
  return new Map([...byCollection].map(([collection, records]) => [collection, new Set(records.keys())]));
}

/** A record as a rejects file holds it, to tell whether a backup's record is the one set aside. */
export function rejectFingerprint(record: BackupRecord): string {
  const { id, document, metadata, embedding, uri } = record;
  return stringifyTyped({ id, document, metadata, embedding: embedding === null ? null : Array.from(embedding), uri });
}

/** A rejects file's lines as written, each with the record set aside; malformed lines are skipped. */
export async function readRejectedLines(path: string): Promise<RefusedRecord[]> {
  const out: RefusedRecord[] = [];
  const text = await readFile(path, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = parseTyped(line) as { collection?: unknown; database?: unknown; id?: unknown; problems?: unknown; refusedBy?: unknown; record?: BackupRecord };
    if (typeof entry.collection !== 'string' || typeof entry.id !== 'string' || entry.record?.id !== entry.id) continue;
    const record = { ...entry.record, embedding: entry.record.embedding ?? null, uri: entry.record.uri ?? null };
    out.push({
      collection: entry.collection,
      ...(typeof entry.database === 'string' ? { database: entry.database } : {}),
      id: entry.id,
      problems: Array.isArray(entry.problems) ? (entry.problems as Problem[]) : [],
      ...(typeof entry.refusedBy === 'string' ? { refusedBy: entry.refusedBy } : {}),
      record,
    });
  }
  return out;
}

/**
 * The lines of one target database, by collection then id: verify excuses a record only when
 * the backup (or source) still holds exactly what was refused, and only in the database it was
 * refused in, so a rejects file from another run, another database's line for a collection of
 * the same name, or a line for a record since mended cannot hide a missing record. A line that
 * names no database (written before lines named theirs) counts for the default database, or for
 * a backup or source that holds only one.
 */
export function refusedIn(lines: readonly RefusedRecord[], database: string, only: boolean): Map<string, Map<string, BackupRecord>> {
  return new Map([...linesIn(lines, database, only)].map(([collection, byId]) => [collection, new Map([...byId].map(([id, line]) => [id, line.record]))]));
}

/** The lines of one target database (see refusedIn), by collection then id. */
export function linesIn(lines: readonly RefusedRecord[], database: string, only: boolean): Map<string, Map<string, RefusedRecord>> {
  const out = new Map<string, Map<string, RefusedRecord>>();
  for (const line of lines) {
    if (!lineInDatabase(line, database, only)) continue;
    const byId = out.get(line.collection) ?? new Map<string, RefusedRecord>();
    byId.set(line.id, line);
    out.set(line.collection, byId);
  }
  return out;
}

/** Whether a line is of this target database (see refusedIn). */
export function lineInDatabase(line: RefusedRecord, database: string, only: boolean): boolean {
  return line.database === undefined ? only || database === DEFAULT_DATABASE : line.database === database;
}

/**
 * The rejects file of one run. A rejects file lists ids that verify then expects to be absent,
 * so one left over from an earlier run would hide records that are really missing: every run
 * that writes starts it afresh (`reset`), and a copy resumed part-way clears only what it sends
 * again (`clearCollection`). Writes are queued one after another: collections run in parallel.
 */
export class RejectsLog {
  private queue: Promise<void> = Promise.resolve();
  private started = false;
  /** Records set aside by this run. */
  written = 0;

  constructor(readonly path: string) {}

  /** No rejects file: nothing is refused until this run says so. */
  reset(): Promise<void> {
    return this.enqueue(() => rm(this.path, { force: true }));
  }

  /**
   * Starts the file with what a run knows before it writes (an import's whole plan); a run over
   * several databases starts it once and adds each later database's plan.
   */
  start(refused: RefusedRecord[]): Promise<void> {
    if (this.started) return this.add(refused);
    this.started = true;
    this.written += refused.length;
    return this.enqueue(() => (refused.length > 0 ? writeRejects(this.path, refused) : rm(this.path, { force: true })));
  }

  add(refused: RefusedRecord[]): Promise<void> {
    if (refused.length === 0) return this.queue;
    this.written += refused.length;
    return this.enqueue(() => appendFile(this.path, lines(refused)));
  }

  /**
   * A collection sent again from its first record: its earlier refusals are found again. With
   * `ids`, only those lines go (records a resumed run sends again).
   */
  clearCollection(collection: string, database: string, ids?: ReadonlySet<string>): Promise<void> {
    return this.enqueue(async () => {
      const text = await readFile(this.path, 'utf8').catch(() => null);
      if (text === null) return;
      const ofThis = (entry: { collection?: unknown; database?: unknown; id?: unknown }) =>
        entry.collection === collection && (entry.database === undefined || entry.database === database) && (ids === undefined || ids.has(entry.id as string));
      const kept = text.split('\n').filter((line) => line.trim() !== '' && !ofThis(parseTyped(line) as { collection?: unknown; database?: unknown }));
      if (kept.length === 0) await rm(this.path, { force: true });
      else await writeFileAtomic(this.path, kept.map((line) => `${line}\n`).join(''));
    });
  }

  private enqueue(work: () => Promise<unknown>): Promise<void> {
    const next = this.queue.then(work).then(() => undefined);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** A page's records the target would refuse, and the rest. */
export function splitPage(records: readonly BackupRecord[], collection: string, rules: TargetRules): { kept: BackupRecord[]; refused: RefusedRecord[] } {
  const kept: BackupRecord[] = [];
  const refused: RefusedRecord[] = [];
  for (const record of records) {
    const problems = recordProblems(record, rules);
    if (problems.length > 0) refused.push({ collection, id: record.id, problems, record });
    else kept.push(record);
  }
  return { kept, refused };
}

/**
 * A copy's page on its way to the target: its source says what its records hold only as they
 * are read, so each page is checked before it is sent, and a refused record stops the copy there.
 */
export function checkPage(records: readonly BackupRecord[], collection: string, rules: TargetRules): void {
  const { refused } = splitPage(records, collection, rules);
  if (refused.length > 0) {
    throw refusedError(refused, {
      stopped: 'The copy stopped before sending that page; what it sent before is on the target, and the backup file holds every record read so far.',
      fix: 'Copy all but the refused records with --skip-invalid (they go to a rejects file next to the backup), copy the other collections with --collections, or mend the records at the source.',
    });
  }
}

/** The refusal that stops a run before it writes, naming collection, ids and keys. */
export function refusedError(refused: RefusedRecord[], words: { stopped: string; fix: string }): MigrateError {
  const byCollection = new Map<string, RefusedRecord[]>();
  for (const entry of refused) byCollection.set(entry.collection, [...(byCollection.get(entry.collection) ?? []), entry]);
  const parts = [...byCollection].map(([collection, entries]) => {
    const shown = entries.slice(0, 3).map((entry) => describeProblems(entry.id, entry.problems));
    const more = entries.length > 3 ? `; and ${refusedCount(entries.length - 3)} more` : '';
    return `${refusedCount(entries.length)} of ${inQuotes(collection)} — ${shown.join('; ')}${more}`;
  });
  return new MigrateError(
    'CANNOT_HOLD',
    `The target would refuse ${parts.join('. ')}. ${words.stopped}`,
    words.fix,
  );
}
