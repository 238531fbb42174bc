import { readdirSync, type Dirent } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

/**
 * Help for typing a file path at a prompt: Tab completion, the backup files sitting in the
 * folder, and "did you mean" for a near miss. Synchronous and bounded (one directory read each):
 * they run between two key presses.
 */

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).slice(0, 5_000);
  } catch {
    return [];
  }
}

const BACKUP_NAME = /\.(jsonl|jsonl\.gz|json\.gz)$|(backup|export|chroma).*\.json$/i;
const NOT_BACKUPS = new Set(['package.json', 'package-lock.json', 'tsconfig.json', 'composer.json']);

/** Files in `dir` that look like backups (ours, or the guide's JSON export), by name. */
export function backupFilesIn(dir: string): string[] {
  return entries(dir)
    .filter((entry) => entry.isFile() && BACKUP_NAME.test(entry.name) && !NOT_BACKUPS.has(entry.name))
    .map((entry) => entry.name)
    .sort();
}

export interface Completion {
  /** The text with as much completed as is certain. */
  value: string;
  /** When several names fit: them, for the user to pick by typing on. */
  candidates: string[];
}

/** Tab: completes the last part of `typed` against what is on disk, relative to `cwd`. */
export function completePath(cwd: string, typed: string): Completion {
  const expanded = typed.startsWith(`~${sep}`) && process.env.HOME ? join(process.env.HOME, typed.slice(2)) : typed;
  const endsInDir = expanded === '' || expanded.endsWith(sep);
  const dirPart = endsInDir ? expanded : dirname(expanded);
  const prefix = endsInDir ? '' : basename(expanded);
  const found = entries(resolve(cwd, dirPart || '.')).filter((entry) => entry.name.startsWith(prefix) && (prefix.startsWith('.') || !entry.name.startsWith('.')));
  if (found.length === 0) return { value: typed, candidates: [] };
  const head = typed.slice(0, typed.length - prefix.length);
  if (found.length === 1) {
    const [only] = found as [Dirent];
    return { value: `${head}${only.name}${only.isDirectory() ? sep : ''}`, candidates: [] };
  }
  const names = found.map((entry) => `${entry.name}${entry.isDirectory() ? sep : ''}`).sort();
  return { value: `${head}${commonPrefix(names)}`, candidates: names };
}

function commonPrefix(names: string[]): string {
  let prefix = names[0] ?? '';
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/**
 * For a path that is not there: the closest name in its folder ("backup.jsn" → "backup.json",
 * "ChromaDB_Backup.json" → "chromadb_backup.json"), as the user would type it; null if none is
 * close. Close means the same name ignoring case, or a few letters apart for its length.
 */
export function didYouMean(cwd: string, typed: string): string | null {
  const name = basename(typed);
  if (!name) return null;
  const dir = dirname(typed);
  let best: { name: string; distance: number } | null = null;
  for (const entry of entries(resolve(cwd, dir))) {
    if (entry.name === name) continue;
    const distance = entry.name.toLowerCase() === name.toLowerCase() ? 0 : editDistance(entry.name.toLowerCase(), name.toLowerCase());
    const allowed = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
    if (distance <= allowed && (!best || distance < best.distance)) best = { name: entry.name, distance };
  }
  if (!best) return null;
  return dir === '.' && !typed.startsWith(`.${sep}`) ? best.name : join(dir, best.name);
}

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
