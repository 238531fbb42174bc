// `* as z`, not `{ z }`: see ../zod-locale.ts.
import * as z from 'zod/mini';
import '../util/zod-locale.js';
import { STEP_IDS } from './steps.js';

/**
 * 2 added `runs`, 3 `envOrigins`, 4 `deployTokens`, `importPlans`, `ingestWithheld` and a step's
 * `pid`, 5 `targetToken` and a finished export's source ids (`exports[].finished[].id`); an older
 * file is read as a version 5 file without them (store.ts). The bump keeps an older
 * chroma-migrate from rewriting the file without fields it does not know.
 */
export const STATE_VERSION = 5;

const StepStateSchema = z.object({
  status: z.enum(['pending', 'active', 'done', 'skipped', 'failed']),
  at: z.optional(z.string()),
  detail: z.optional(z.string()),
  /** While active: the chroma-migrate process doing it. Gone while still active means it was killed: interrupted. */
  pid: z.optional(z.number()),
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
  /**
   * A copy's: the run of the export that sent these records (ExportCheckpoint.run). A copy sends a
   * collection's records while the one before it lands, before its checkpoint names it: on a
   * resume of that export, such a collection is its own, not one the user had there.
   */
  exportRun: z.optional(z.string()),
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
      /**
       * The collection's id on the source. A copy run again once everything but its verify had
       * finished lists the source to learn these, so that it never writes into the source's own
       * collection; when the source can no longer be reached, these stand in for that listing.
       * Absent in checkpoints written before it was kept.
       */
      id: z.optional(z.string()),
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
  /** Names this export from its start to its end, over every resume (see ImportCheckpoint.exportRun). */
  run: z.optional(z.string()),
});
export type ExportCheckpoint = z.infer<typeof ExportCheckpointSchema>;

/**
 * A .env as it was before the migration first changed it, so rollback can give its keys their old
 * values back: the backup `env set` kept then (0600, next to it; the state holds no secrets), or
 * null when env set created the file.
 */
const EnvOriginSchema = z.object({
  dotenv: z.string(),
  backup: z.nullable(z.string()),
  at: z.string(),
});
export type EnvOrigin = z.infer<typeof EnvOriginSchema>;

const ImportPlanSchema = z.object({
  backup: z.string(),
  fingerprint: FingerprintSchema,
  /** URL/tenant: the checkpoints' target less the database, so one plan covers every database of the file. */
  server: z.string(),
  collections: z.number().check(z.int(), z.nonnegative()),
  records: z.number().check(z.int(), z.nonnegative()),
  at: z.string(),
});
export type ImportPlan = z.infer<typeof ImportPlanSchema>;

const DeployTokenSchema = z.object({
  dotenv: z.string(),
  digest: z.string().check(z.regex(/^[0-9a-f]{16}$/)),
  at: z.string(),
});

/**
 * One run of a command, as typed, so that `status` and the Ctrl-C message can print the command
 * that continues it. Never a secret: flags that carry one are left out, named in `withheld`.
 */
const RunSchema = z.object({
  id: z.string(),
  /** The subcommand as typed: "copy", "embeddings reembed". */
  command: z.string(),
  /** Its arguments as typed, less any secret's flag and value. */
  args: z.array(z.string()),
  /** Flags left out because they carry a secret ("--token"); their value comes from .env on a resume. */
  withheld: z.array(z.string()),
  /** The folder it ran in: relative paths and .env are read from there. */
  cwd: z.string(),
  /** Absolute paths of the files it reads or writes (--out, --input): what ties it to a checkpoint. */
  files: z.array(z.string()),
  startedAt: z.string(),
  /** `running` until it ends; a run killed outright (kill -9, power loss) stays `running`. */
  outcome: z.enum(['running', 'done', 'interrupted', 'failed']),
  endedAt: z.optional(z.string()),
});
export type RunRecord = z.infer<typeof RunSchema>;

export const MigrationStateSchema = z.object({
  version: z.literal(STATE_VERSION),
  createdAt: z.string(),
  updatedAt: z.string(),
  steps: z.partialRecord(z.enum(STEP_IDS), StepStateSchema),
  /** The backup file the migration works from (path only). */
  backupPath: z.optional(z.string()),
  /** The target URL (never its token). */
  targetUrl: z.optional(z.string()),
  /**
   * Where the token step 3 tested for `url` came from, never the token: none, step 2's (kept in
   * .env), .env's, or typed. A resumed wizard takes it from there again, or asks for it.
   */
  targetToken: z.optional(z.object({ url: z.string(), from: z.enum(['none', 'deploy', 'env', 'typed']) })),
  imports: z._default(z.array(ImportCheckpointSchema), []),
  exports: z._default(z.array(ExportCheckpointSchema), []),
  /** The latest runs of the commands that keep checkpoints, newest last. */
  runs: z._default(z.array(RunSchema), []),
  /** One per .env the migration changed, the first change's. */
  envOrigins: z._default(z.array(EnvOriginSchema), []),
  /** Step 2's tokens kept in a .env, each known by a digest (deploy-token.ts), never the token. */
  deployTokens: z._default(z.array(DeployTokenSchema), []),
  /** What each import set out to do, noted as it starts (import-plans.ts). */
  importPlans: z._default(z.array(ImportPlanSchema), []),
  /** The last ingestion command, its secrets masked ("OPENAI_API_KEY=… python3 ingest.py"). */
  ingestCommand: z.optional(z.string()),
  /** What was masked in it ("OPENAI_API_KEY", "--api-key"): a resume must be given those again. */
  ingestWithheld: z.optional(z.array(z.string())),
  /** The local Chroma server the wizard started, so that a resumed wizard starts it again. */
  localServer: z.optional(z.object({ path: z.string(), port: z.number().check(z.int(), z.positive()) })),
});
export type MigrationState = z.infer<typeof MigrationStateSchema>;
export type TargetToken = NonNullable<MigrationState['targetToken']>;
