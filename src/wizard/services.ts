import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { inspectBackup, readRecords } from '../core/backup/read.js';
import { ChromaApi } from '../core/chroma/api.js';
import { resolveTenant } from '../core/chroma/tenant.js';
import { explainRequestError } from '../core/chroma/explain.js';
import { applyEnvPlan, planSelfHostedEnv, withEnvLock } from '../core/env-file/apply.js';
import { exportCollections } from '../core/operations/export.js';
import { importBackup } from '../core/operations/import.js';
import { runIngest } from '../core/ingest/run-ingest.js';
import { exposure, probe } from '../core/chroma/probe.js';
import { startChromaServer, type RunningServer } from '../core/local-server/chroma-server.js';
import { nextFreePort, portProblem } from '../core/local-server/local-port.js';
import { appNeedsOnServer } from '../core/collection/app-needs.js';
import { generateToken } from '../core/deploy/token.js';
import { keepTokenInEnv } from '../core/deploy/keep-token.js';
import { verifyBackup } from '../core/operations/verify.js';
import { loadState, StateStore } from '../core/state/store.js';
import type { MigrationState } from '../core/state/schema.js';
import { breakdownBy } from './breakdown.js';
import { describeServer } from '../core/chroma/capabilities.js';
import type { Endpoint } from '../core/chroma/endpoint.js';
import { planCollection } from '../core/collection/plan.js';
import { listDatabases } from '../core/chroma/databases.js';
import { sourceIndexOf, type EmbeddingFunctionConfig } from '../core/collection/shape.js';
import type { CollectionHeader, Space } from '../core/model/record.js';

/** What gives a collection its meaning beyond its records: how it ranks, and how it embeds query text. */
interface CollectionMeaning {
  space: Space | null;
  embeddingFunction: EmbeddingFunctionConfig | null;
}

/** One database of the source's tenant, with what it holds. */
export interface DatabaseSize {
  name: string;
  collections: number;
  records: number;
}

/**
 * Everything the wizard does to the world, in one object: the real engine by default; tests
 * swap the clock (and nothing that crosses the wire). Screens never call the engine, the file
 * system or the network around it.
 */
export interface WizardServices {
  now: () => number;
  cwd: string;
  env: Record<string, string | undefined>;
  envFile: string;
  statePath: string;
  /** A fresh token for the deploy guide; tests pin it for stable snapshots. */
  newToken: () => string;
  /** Writes the deploy token into .env as CHROMA_AUTH_TOKEN when that changes nothing the app does today. */
  keepDeployToken: typeof keepTokenInEnv;
  exportCollections: typeof exportCollections;
  /** The databases of the source's tenant with their collection and record counts, by name. */
  databasesOf: (source: Endpoint, signal?: AbortSignal) => Promise<DatabaseSize[]>;
  inspectBackup: typeof inspectBackup;
  readRecords: typeof readRecords;
  /** Records per value of one metadata key, for the backup summary. */
  breakdownBy: typeof breakdownBy;
  fileSize: (path: string) => Promise<number>;
  /** The keys .env holds now (step 4 may have changed it since the wizard started); {} when there is none. */
  readEnvFile: () => Promise<Record<string, string>>;
  resolveTenant: typeof resolveTenant;
  /** A failed request in the words and with the fix the CLI gives it. */
  explain: typeof explainRequestError;
  importBackup: typeof importBackup;
  verifyBackup: typeof verifyBackup;
  probe: typeof probe;
  /** Whether the target answers without a token; tests judge loopback servers as public. */
  exposure: typeof exposure;
  appNeedsOnServer: typeof appNeedsOnServer;
  /** Why a new server cannot listen on a port of this machine, or null when it can. */
  portProblem: typeof portProblem;
  nextFreePort: typeof nextFreePort;
  startChromaServer: typeof startChromaServer;
  /** The user chose to keep the local server after the wizard exits: let it outlive us. */
  keepServerRunning: (server: RunningServer) => void;
  runIngest: typeof runIngest;
  planSelfHostedEnv: typeof planSelfHostedEnv;
  applyEnvPlan: typeof applyEnvPlan;
  api: (target: ConstructorParameters<typeof ChromaApi>[0]) => ChromaApi;
  /** The space and embedding function of a collection on the target; null when it is not there. */
  meaningOf: (target: Endpoint, name: string, signal?: AbortSignal) => Promise<CollectionMeaning | null>;
  /**
   * Deletes the collection and creates it again, empty, as the backup's header describes it —
   * with `keep`'s space and embedding function where the header records none.
   */
  recreate: (target: Endpoint, header: CollectionHeader, keep: CollectionMeaning, signal?: AbortSignal) => Promise<void>;
  /** The plain-text record of this run: every step's results, errors and decisions, never a token. */
  logPath: string;
  log: (line: string) => void;
  /** Changes the saved migration state (at statePath) in one atomic write. */
  updateState: (change: (saved: MigrationState) => MigrationState) => Promise<void>;
  /** The saved migration state as it is now. */
  readState: () => Promise<MigrationState>;
}

export function realServices(base: Pick<WizardServices, 'cwd' | 'env' | 'envFile' | 'statePath'>): WizardServices {
  const logPath = join(dirname(base.statePath), `wizard-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  return {
    logPath,
    log: runLog(logPath),
    ...base,
    now: Date.now,
    newToken: generateToken,
    keepDeployToken: keepTokenInEnv,
    exportCollections,
    databasesOf,
    inspectBackup,
    readRecords,
    breakdownBy,
    fileSize: async (path) => (await stat(path)).size,
    readEnvFile: () => readFile(base.envFile).then(
      (text) => parseDotenv(text),
      () => ({}),
    ),
    resolveTenant,
    explain: explainRequestError,
    importBackup,
    verifyBackup,
    probe,
    exposure,
    appNeedsOnServer,
    portProblem,
    nextFreePort,
    startChromaServer,
    keepServerRunning: (server) => server.keepRunning(),
    runIngest,
    planSelfHostedEnv,
    // The plan was read before the question; the write checks it is still the file and takes its turn.
    applyEnvPlan: (plan) => withEnvLock(plan.path, "the wizard's step 4", () => applyEnvPlan(plan)),
    api: (target) => new ChromaApi(target),
    meaningOf: async (target, name, signal) => {
      const info = await new ChromaApi(target).findCollection(name, { signal });
      if (!info) return null;
      const index = sourceIndexOf(info.configuration_json, info.schema, info.metadata);
      return { space: index.space, embeddingFunction: index.embeddingFunction };
    },
    recreate: async (target, header, keep, signal) => {
      const api = new ChromaApi(target);
      const recorded = sourceIndexOf(header.configuration, header.schema, header.metadata);
      const configuration = recorded.embeddingFunction || !keep.embeddingFunction ? header.configuration : { ...header.configuration, embedding_function: keep.embeddingFunction };
      const plan = planCollection({ ...header, configuration }, await describeServer(api, { signal }), { space: keep.space, cloud: target.cloud });
      await api.deleteCollection(header.name, { signal });
      await api.createCollection({ name: header.name, ...plan.request }, { signal });
    },
    updateState: async (change) => {
      await (await StateStore.open(base.statePath)).update(change);
    },
    readState: () => loadState(base.statePath),
  };
}

async function databasesOf(source: Endpoint, signal?: AbortSignal): Promise<DatabaseSize[]> {
  const sizes: DatabaseSize[] = [];
  for (const { name } of await listDatabases(source, { signal })) {
    const api = new ChromaApi({ ...source, database: name });
    const collections = await api.allCollections({ signal });
    let records = 0;
    for (const collection of collections) records += await api.count(collection.id, { signal });
    sizes.push({ name, collections: collections.length, records });
  }
  return sizes;
}

/** Appends lines in order, each with its time; the folder is made on the first line. A log that cannot be written never stops the wizard. */
function runLog(path: string): (line: string) => void {
  let queue: Promise<unknown> | null = null;
  return (line) => {
    queue ??= mkdir(dirname(path), { recursive: true }).catch(() => undefined);
    const text = `${new Date().toISOString()} ${line.replace(/\n/g, '\n    ')}\n`;
    queue = queue.then(() => appendFile(path, text)).catch(() => undefined);
  };
}
