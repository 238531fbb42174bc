/**
 * A backup written whole or not at all: into a temporary file beside it, renamed over the real
 * one only once finished, so a failure or Ctrl-C part-way leaves the file as it was. Compressed
 * as the real file's name says (the temporary name, "X.jsonl.gz.merging", does not end in .gz).
 */
import { rename } from 'node:fs/promises';
import { BackupWriter, wantsGzip, type BackupWriterOptions } from './writer.js';

export async function writeBackupWhole<T>(out: string, temporary: string, options: BackupWriterOptions, fill: (writer: BackupWriter) => Promise<T>): Promise<T> {
  const writer = await BackupWriter.open(temporary, { ...options, gzip: options.gzip ?? wantsGzip(out) });
  let result: T;
  try {
    result = await fill(writer);
    await writer.finish();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
  await rename(temporary, out);
  return result;
}
