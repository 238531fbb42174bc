import { existsSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openSource } from '../backup/byte-source.js';
import { sniff } from '../backup/sniff.js';

/**
 * Our backup files are named by the time they were started, in UTC, without colons (Windows,
 * scp and Make all dislike them), so that name order is time order: `ls` sorts them and
 * rotation can trust the name rather than a modification time a copy may have changed.
 */
const NAME = /^chroma-backup-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})Z\.jsonl\.gz$/;

export function backupFileName(at: Date): string {
  return `chroma-backup-${at.toISOString().slice(0, 19).replace(/:/g, '-')}Z.jsonl.gz`;
}

export function isBackupFileName(name: string): boolean {
  return NAME.test(name);
}

function timeOf(name: string): number {
  const [, y, mo, d, h, mi, s] = NAME.exec(name) ?? [];
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/** Our finished backups in DIR (regular files with our name only), oldest first. */
export async function listBackups(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const ours: string[] = [];
  for (const name of names.filter(isBackupFileName).sort()) {
    if ((await lstat(join(dir, name))).isFile()) ours.push(name);
  }
  return ours;
}

/**
 * Where the next backup goes: named for `now`, but always after the newest one already there —
 * two backups within a second, or a clock set back, must never make rotation delete the new one.
 */
export async function nextBackupPath(dir: string, now: Date): Promise<string> {
  const newest = (await listBackups(dir)).at(-1);
  let at = Math.floor(now.getTime() / 1000) * 1000;
  if (newest !== undefined) at = Math.max(at, timeOf(newest) + 1000);
  const taken = (name: string) => ['', '.partial', '.databases'].some((suffix) => existsSync(join(dir, `${name}${suffix}`)));
  while (taken(backupFileName(new Date(at)))) at += 1000;
  return resolve(dir, backupFileName(new Date(at)));
}

export interface Rotation {
  removed: string[];
  kept: string[];
}

/** A file of our name that holds no backup of ours (a user's, another program's) is never deleted. */
async function holdsOurBackup(path: string): Promise<boolean> {
  try {
    return (await sniff(await openSource(path))) === 'own';
  } catch {
    return false;
  }
}

/** Keeps the newest `keep` of our backups in DIR and deletes the older ones. Nothing else in DIR is touched. */
export async function rotateBackups(dir: string, keep: number): Promise<Rotation> {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a whole number ≥ 1, got ${keep}`);
  const all: string[] = [];
  for (const name of await listBackups(dir)) if (await holdsOurBackup(join(dir, name))) all.push(name);
  const removed = all.slice(0, Math.max(0, all.length - keep));
  for (const name of removed) await rm(join(dir, name));
  return { removed: removed.map((name) => resolve(dir, name)), kept: all.slice(removed.length).map((name) => resolve(dir, name)) };
}
