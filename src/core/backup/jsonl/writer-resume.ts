/**
 * Before appending to a backup, read back the part being kept (up to resumeAtBytes) to learn
 * where the export stood: how many collections were started and whether one is still open
 * with how many records. This makes the end lines right after a resume, and refuses offsets
 * that are not a checkpoint of this file (mid-line, mid-gzip-member, or another file).
 */
import { MigrateError } from '../../util/errors.js';
import { LineSplitter } from './lines.js';
import { openSource, readChunks } from '../byte-source.js';
import { FORMAT_NAME, FORMAT_VERSION } from '../schemas.js';
import { CompactIdSet } from '../../util/compact-ids.js';

export interface ResumePoint {
  gzip: boolean;
  /** Collection lines before the resume point. */
  collections: number;
  /** The collection whose "end" line has not been written yet, if any, and the ids of its records so far. */
  open: { name: string; dimension: number | null; written: number; claimed: number | null; ids: CompactIdSet; repeated: number } | null;
}

const RECORD_PREFIX = Buffer.from('{"type":"record",');

export async function scanResumePoint(path: string, resumeAtBytes: number): Promise<ResumePoint> {
  const source = await openSource(path);
  const notCheckpoint = (why: string, cause?: unknown): MigrateError =>
    new MigrateError(
      'BAD_STATE',
      `Cannot resume writing ${source.label} at byte ${resumeAtBytes}: ${why}`,
      `Delete ${path} and run the same command again: the export then starts from the beginning.`,
      cause === undefined ? undefined : { cause },
    );
  if (!Number.isInteger(resumeAtBytes) || resumeAtBytes <= 0) throw notCheckpoint('the offset must be a positive whole number');
  if (source.bytes < resumeAtBytes) throw notCheckpoint(`the file is only ${source.bytes} bytes long`);

  const parse = (line: Buffer, no: number): Record<string, unknown> => {
    try {
      const value: unknown = JSON.parse(line.toString('utf8'));
      if (value !== null && typeof value === 'object') return value as Record<string, unknown>;
    } catch (error) {
      throw notCheckpoint(`line ${no} is not valid JSON`, error);
    }
    throw notCheckpoint(`line ${no} is not a JSON object`);
  };

  const point: ResumePoint = { gzip: source.gzip, collections: 0, open: null };
  let finished = false;
  let lastTerminated = true;
  const splitter = new LineSplitter((line, no, terminated) => {
    lastTerminated = terminated;
    if (no > 1 && line.length >= RECORD_PREFIX.length && line.compare(RECORD_PREFIX, 0, RECORD_PREFIX.length, 0, RECORD_PREFIX.length) === 0) {
      if (point.open === null) throw notCheckpoint(`line ${no} is a record outside any collection`);
      point.open.written++;
      if (terminated && !point.open.ids.add(recordId(line, no))) point.open.repeated++;
      // The writer must keep later records at the same dimension; learn it from the first one.
      if (point.open.dimension === null && terminated) {
        const embedding = parse(line, no).embedding;
        if (typeof embedding === 'string') point.open.dimension = Buffer.byteLength(embedding, 'base64') / 4;
      }
      return;
    }
    if (!terminated) return; // judged below: a checkpoint never ends mid-line
    const value = parse(line, no);
    if (no === 1) {
      if (value.format !== FORMAT_NAME) throw notCheckpoint('the file is not a chroma-migrate backup');
      // Appending version-2 lines under a version-1 header would claim types the start lost.
      if (value.version !== FORMAT_VERSION) throw notCheckpoint(`it was started by an older chroma-migrate (format version ${String(value.version)})`);
    } else if (value.type === 'collection') {
      point.collections++;
      const dimension = typeof value.dimension === 'number' ? value.dimension : null;
      point.open = { name: String(value.name), dimension, written: 0, claimed: typeof value.count === 'number' ? value.count : null, ids: new CompactIdSet(typeof value.count === 'number' ? value.count : 0), repeated: 0 };
    } else if (value.type === 'end') {
      point.open = null;
    } else if (value.type === 'end-file') {
      finished = true;
    }
  });
  /** The writer puts the id right after the type: read just that JSON string. */
  const recordId = (line: Buffer, no: number): string => {
    const match = /^\{"type":"record","id":("(?:[^"\\]|\\.)*")/.exec(line.subarray(0, 4096).toString('utf8'));
    if (!match) throw notCheckpoint(`line ${no} is a record without an id where the writer puts it`);
    return JSON.parse(match[1]!) as string;
  };
  try {
    for await (const chunk of readChunks(source, resumeAtBytes)) splitter.write(chunk);
    splitter.end();
  } catch (error) {
    if (error instanceof MigrateError && error.code === 'BAD_BACKUP') throw notCheckpoint(error.message, error);
    throw error;
  }
  if (!lastTerminated) throw notCheckpoint('the offset falls in the middle of a line');
  if (finished) throw notCheckpoint('the backup was already finished');
  if (splitter.lines === 0) throw notCheckpoint('no header line before the offset');
  return point;
}
