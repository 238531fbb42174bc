/**
 * One backup file per database for `--all-databases`: FILE's name with the database's before the
 * extension (backup.jsonl.gz → backup.staging.jsonl.gz). Each file's header also records its
 * source database. Names are URI-encoded (dots too, so the name is one part): an old 1.0 server accepted names such as "bad name!".
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const EXTENSION = /(\.jsonl(\.gz)?|\.json(\.gz)?|\.gz)$/;

function split(file: string): { stem: string; extension: string } {
  const name = basename(file);
  const extension = EXTENSION.exec(name)?.[0] ?? '';
  return { stem: name.slice(0, name.length - extension.length), extension };
}

export function databaseFile(file: string, database: string): string {
  const { stem, extension } = split(file);
  return join(dirname(file), `${stem}.${encodeURIComponent(database).replaceAll('.', '%2E')}${extension}`);
}

/** The per-database files an `export --all-databases --out FILE` wrote, by database name. */
export async function findDatabaseFiles(file: string): Promise<Array<{ database: string; path: string }>> {
  const { stem, extension } = split(file);
  const names = await readdir(dirname(file) || '.').catch(() => [] as string[]);
  const found: Array<{ database: string; path: string }> = [];
  for (const name of names.sort()) {
    if (!name.startsWith(`${stem}.`) || !name.endsWith(extension) || name.endsWith('.partial')) continue;
    const middle = name.slice(stem.length + 1, name.length - extension.length);
    if (middle === '' || middle.includes('.')) continue;
    found.push({ database: decodeURIComponent(middle), path: join(dirname(file), name) });
  }
  return found;
}
