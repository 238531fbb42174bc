/**
 * Where a several-database export keeps each database's part until they are written as one
 * file: FILE.databases/NAME.jsonl.gz (FILE's extension). Names are URI-encoded (dots too, so the
 * name is one part): an old 1.0 server accepted names such as "bad name!".
 */
import { basename, join } from 'node:path';

const EXTENSION = /(\.jsonl(\.gz)?|\.json(\.gz)?|\.gz)$/;

export function databasePart(out: string, database: string): string {
  const extension = EXTENSION.exec(basename(out))?.[0] ?? '';
  return join(`${out}.databases`, `${encodeURIComponent(database).replaceAll('.', '%2E')}${extension}`);
}
