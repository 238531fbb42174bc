import { z } from 'zod';
import { STEP_IDS } from './steps.js';

export const STATE_VERSION = 1;

const StepStateSchema = z.object({
  status: z.enum(['pending', 'active', 'done', 'skipped', 'failed']),
  at: z.string().optional(),
  detail: z.string().optional(),
});

/** Identifies one backup file's content cheaply: size, mtime and a hash of its first 64 KiB. */
export const FingerprintSchema = z.string().min(1);

/** How far one collection's import has committed: every record before `committed` is on the target. */
export const ImportCheckpointSchema = z.object({
  backup: z.string(),
  fingerprint: FingerprintSchema,
  target: z.string(),
  collection: z.string(),
  /** The name in the backup, when imported under another name. */
  sourceCollection: z.string(),
  batchSize: z.number().int().positive(),
  committed: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  done: z.boolean(),
  updatedAt: z.string(),
});
export type ImportCheckpoint = z.infer<typeof ImportCheckpointSchema>;

export const ExportCheckpointSchema = z.object({
  out: z.string(),
  partial: z.string(),
  /** Where the data comes from, without any key: URL + tenant/database. */
  source: z.string(),
  collections: z.array(z.string()),
  finished: z.array(z.object({ name: z.string(), count: z.number().int().nonnegative() })),
  current: z
    .object({ name: z.string(), offset: z.number().int().nonnegative(), total: z.number().int().nonnegative() })
    .nullable(),
  /** Byte length of the partial file at the last checkpoint: a valid place to truncate to. */
  bytes: z.number().int().nonnegative(),
  done: z.boolean(),
  updatedAt: z.string(),
});
export type ExportCheckpoint = z.infer<typeof ExportCheckpointSchema>;

export const MigrationStateSchema = z.object({
  version: z.literal(STATE_VERSION),
  createdAt: z.string(),
  updatedAt: z.string(),
  steps: z.partialRecord(z.enum(STEP_IDS), StepStateSchema),
  /** The backup file the migration works from (path only). */
  backupPath: z.string().optional(),
  /** The target URL (never its token). */
  targetUrl: z.string().optional(),
  imports: z.array(ImportCheckpointSchema).default([]),
  exports: z.array(ExportCheckpointSchema).default([]),
  ingestCommand: z.string().optional(),
  /** The local Chroma server the wizard started, so that a resumed wizard starts it again. */
  localServer: z.object({ path: z.string(), port: z.number().int().positive() }).optional(),
});
export type MigrationState = z.infer<typeof MigrationStateSchema>;
