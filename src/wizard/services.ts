import { inspectBackup, readRecords } from '../core/backup/read.js';
import { ChromaApi } from '../core/chroma/api.js';
import { applyEnvPlan, planSelfHostedEnv } from '../core/env-file/apply.js';
import { exportCollections } from '../core/operations/export.js';
import { importBackup } from '../core/operations/import.js';
import { runIngest } from '../core/ingest/run-ingest.js';
import { exposure, probe } from '../core/chroma/probe.js';
import { startChromaServer, type RunningServer } from '../core/local-server/chroma-server.js';
import { generateToken } from '../core/deploy/token.js';
import { verifyBackup } from '../core/operations/verify.js';

/**
 * Everything the wizard does to the world, in one object: the real engine by default; tests
 * swap the clock (and nothing that crosses the wire).
 */
export interface WizardServices {
  now: () => number;
  cwd: string;
  env: Record<string, string | undefined>;
  envFile: string;
  statePath: string;
  /** A fresh token for the deploy guide; tests pin it for stable snapshots. */
  newToken: () => string;
  exportCollections: typeof exportCollections;
  inspectBackup: typeof inspectBackup;
  readRecords: typeof readRecords;
  importBackup: typeof importBackup;
  verifyBackup: typeof verifyBackup;
  probe: typeof probe;
  /** Whether the target answers without a token; tests judge loopback servers as public. */
  exposure: typeof exposure;
  startChromaServer: typeof startChromaServer;
  /** The user chose to keep the local server after the wizard exits: let it outlive us. */
  keepServerRunning: (server: RunningServer) => void;
  runIngest: typeof runIngest;
  planSelfHostedEnv: typeof planSelfHostedEnv;
  applyEnvPlan: typeof applyEnvPlan;
  api: (target: ConstructorParameters<typeof ChromaApi>[0]) => ChromaApi;
}

export function realServices(base: Pick<WizardServices, 'cwd' | 'env' | 'envFile' | 'statePath'>): WizardServices {
  return {
    ...base,
    now: Date.now,
    newToken: generateToken,
    exportCollections,
    inspectBackup,
    readRecords,
    importBackup,
    verifyBackup,
    probe,
    exposure,
    startChromaServer,
    keepServerRunning: (server) => server.keepRunning(),
    runIngest,
    planSelfHostedEnv,
    applyEnvPlan,
    api: (target) => new ChromaApi(target),
  };
}
