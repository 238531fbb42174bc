// `* as z`, not `{ z }`: see ../zod-locale.ts.
import * as z from 'zod/mini';
import '../util/zod-locale.js';
import { STEP_IDS } from './steps.js';

export const STATE_VERSION = 1;

const StepStateSchema = z.object({
  status: z.enum(['pending', 'active', 'done', 'skipped', 'failed']),
  at: z.optional(z.string()),
  detail: z.optional(z.string()),
});

/** Identifies one backup file's content cheaply: size, mtime and a hash of its first 64 KiB. */
const FingerprintSchema = z.string().check(z.minLength(1));

/** How far one collection's import has committed: every record before `committed` is on the target. */
const ImportCheckpointSchema = z.object({
  backup: z.string(),
  fingerprint: FingerprintSchema,
  target: z.string(),
  collection: z.string(),
  /** The name in the backup, when imported under another name. */
  sourceCollection: z.string(),
  batchSize: z.number().check(z.int(), z.positive()),
  committed: z.number().check(z.int(), z.nonnegative()),
  total: z.number().check(z.int(), z.nonnegative()),
  done: z.boolean(),
  updatedAt: z.string(),
});
export type ImportCheckpoint = z.infer<typeof ImportCheckpointSchema>;

const ExportCheckpointSchema = z.object({
  out: z.string(),
  partial: z.string(),
  /** Where the data comes from, without any key: URL + tenant/database. */
  source: z.string(),
  collections: z.array(z.string()),
  finished: z.array(
    z.object({
      name: z.string(),
      count: z.number().check(z.int(), z.nonnegative()),
      /** Records the pages missed (the source changed under them), read by id at the collection's end. */
      added: z.optional(z.number().check(z.int(), z.nonnegative())),
      /** Ids read into the file that the source no longer held at the collection's end: dropped from the file before it is renamed. */
      deletedIds: z.optional(z.array(z.string())),
      /** Records read twice (an insert shifted the pages): the file keeps one. */
      repeated: z.optional(z.number().check(z.int(), z.nonnegative())),
    }),
  ),
  current: z.nullable(
    z.object({
      name: z.string(),
      offset: z.number().check(z.int(), z.nonnegative()),
      total: z.number().check(z.int(), z.nonnegative()),
    }),
  ),
  /** Byte length of the partial file at the last checkpoint: a valid place to truncate to. */
  bytes: z.number().check(z.int(), z.nonnegative()),
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
  backupPath: z.optional(z.string()),
  /** The target URL (never its token). */
  targetUrl: z.optional(z.string()),
  imports: z._default(z.array(ImportCheckpointSchema), []),
  exports: z._default(z.array(ExportCheckpointSchema), []),
  ingestCommand: z.optional(z.string()),
  /** The local Chroma server the wizard started, so that a resumed wizard starts it again. */
  localServer: z.optional(z.object({ path: z.string(), port: z.number().check(z.int(), z.positive()) })),
});
export type MigrationState = z.infer<typeof MigrationStateSchema>;
