import { existsSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openSource } from '../backup/byte-source.js';
import { sniff } from '../backup/sniff.js';
import { ownCollectionHeaders } from '../backup/read.js';
import { backupOrigin, sameOrigin } from '../backup/jsonl/header.js';

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
  /** This server's backups left in DIR, the new one included. */
  kept: string[];
  /** Older backups of this server kept past N: each holds more collections or records than the new one. */
  heldMore: BackupSize[];
  /** Backups of ours in DIR taken from another server, tenant or database (or not saying which): never rotated here. */
  others: string[];
}

export interface BackupSize {
  file: string;
  collections: number;
  records: number;
  /** The databases its header names (for its restore command). */
  databases?: string[];
}

/** A file of our name that holds no backup of ours (a user's, another program's) is never deleted. */
async function holdsOurBackup(path: string): Promise<boolean> {
  try {
    return (await sniff(await openSource(path))) === 'own';
  } catch {
    return false;
  }
}

/** What an older backup holds; one that cannot be read through holds nothing to restore. */
async function sizeOf(file: string, signal?: AbortSignal): Promise<BackupSize> {
  try {
    const collections = await ownCollectionHeaders(file, signal);
    return { file, collections: collections.length, records: collections.reduce((sum, header) => sum + header.count, 0) };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { file, collections: 0, records: 0 };
  }
}

/**
 * Keeps the newest `keep` backups of the server `newest` was taken from and deletes the older
 * ones. Nothing else in DIR is touched: not a backup of another server, tenant or database (each
 * file's header says where it was taken), nor an older one holding more collections or records
 * than the new one — a server redeployed empty and seeded again by its app must not push its one
 * full backup out.
 */
export async function rotateBackups(dir: string, keep: number, newest: BackupSize, signal?: AbortSignal): Promise<Rotation> {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a whole number ≥ 1, got ${keep}`);
  const origin = await backupOrigin(newest.file, signal);
  const same: Array<{ path: string; databases: string[] }> = [];
  const others: string[] = [];
  for (const name of await listBackups(dir)) {
    const path = resolve(dir, name);
    if (!(await holdsOurBackup(path))) continue;
    const theirs = path === resolve(newest.file) ? origin : await backupOrigin(path, signal);
    if (origin !== null && theirs !== null && sameOrigin(origin, theirs)) same.push({ path, databases: theirs.databases });
    else others.push(path);
  }
  const removed: string[] = [];
  const heldMore: BackupSize[] = [];
  for (const { path, databases } of same.slice(0, Math.max(0, same.length - keep))) {
    if (path === resolve(newest.file)) continue;
    const size = await sizeOf(path, signal);
    if (size.collections > newest.collections || size.records > newest.records) heldMore.push({ ...size, databases });
    else removed.push(path);
  }
  for (const path of removed) await rm(path);
  return { removed, kept: same.map(({ path }) => path).filter((path) => !removed.includes(path)), heldMore, others };
}

/**
 * A new backup far smaller than one kept: fewer collections, or under half the records. Ordinary
 * deletes shrink a server a little; this is what a wiped server looks like, worth a failed run.
 */
export function shrankALot(newest: BackupSize, heldMore: BackupSize[]): boolean {
  return heldMore.some((older) => older.collections > newest.collections || newest.records * 2 < older.records);
}
