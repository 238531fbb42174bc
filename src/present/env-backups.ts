import { resolve } from 'node:path';
import type { EnvBackup } from '../core/env-file/backups.js';
import { shellWord } from '../core/util/format.js';

export function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** ` --dotenv PATH` when the file is not ./.env, for commands printed as hints. */
export function envFileFlag(path: string): string {
  return path === resolve('.env') ? '' : ` --dotenv ${shellWord(path)}`;
}

/** `rollback --list`: the saved copies of a .env, newest first, and how to restore one. */
export function backupLines(path: string, backups: readonly EnvBackup[]): string[] {
  if (backups.length === 0) return [`No backups of ${path} yet (chroma-migrate env set and rollback make them).`];
  return [
    `Backups of ${path}, newest first:`,
    ...backups.map((backup) => `  ${formatDate(backup.date)}  ${backup.path}  (${backup.bytes} bytes)`),
    `Restore one with: chroma-migrate rollback --restore FILE${envFileFlag(path)}`,
  ];
}
