/**
 * Why the bundled server refused a data folder, from its log. A refused start is a Rust panic
 * whose line after "Error creating Frontend Config: " names the cause (SQLite's error code, a
 * migration it does not know, a path error); the process dies by SIGABRT within a second.
 */
import { readFile } from 'node:fs/promises';
import { MigrateError } from '../../util/errors.js';

const MARKER = 'Error creating Frontend Config: ';

interface Reading {
  match: RegExp;
  message: string;
  fix: string;
}

const READINGS: Reading[] = [
  { match: /code: 26\b|file is not a database/, message: 'is not a Chroma database (chroma.sqlite3 is not a readable SQLite file)', fix: 'Check the path; if the folder was copied from elsewhere, copy it again whole.' },
  { match: /code: 11\b|malformed/, message: 'is damaged or was copied incompletely (SQLite: "database disk image is malformed")', fix: 'Copy the folder again from where it lives, with the app or server stopped; if the original is damaged too, restore it from a backup.' },
  { match: /InconsistentHash|InconsistentVersion|MigrationValidationError/, message: 'was written by a Chroma build this one does not recognise (its schema migrations differ)', fix: 'Open it with the Chroma version that wrote it and export from that server with --source-url.' },
  { match: /code: 8\b|readonly database/, message: 'could not be opened for writing in the temporary copy (SQLite: read-only database)', fix: 'The temporary folder is read-only: point TMPDIR at a writable disk.' },
  { match: /code: 17\b|File exists/, message: 'is a file, not a folder', fix: 'Pass the folder that holds chroma.sqlite3.' },
];

export async function explainStartFailure(folder: string, logFile: string, cause: unknown): Promise<MigrateError> {
  const log = await readFile(logFile, 'utf8').catch(() => '');
  const at = log.indexOf(MARKER);
  const detail = at >= 0 ? log.slice(at + MARKER.length).split('\n')[0]!.trim() : '';
  const reading = READINGS.find((candidate) => candidate.match.test(detail));
  if (reading) return new MigrateError('BAD_INPUT', `${folder} ${reading.message}.`, reading.fix, { cause });
  const lastLine = log.trim().split('\n').pop() ?? '';
  const said = detail || lastLine ? ` It said: ${(detail || lastLine).slice(0, 300)}` : '';
  const message = cause instanceof Error ? cause.message : String(cause);
  return new MigrateError('SERVER_START', `The bundled Chroma server could not open ${folder} (${message}).${said}`, 'Serve the folder with the Chroma version that wrote it and export from that server with --source-url.', { cause });
}
