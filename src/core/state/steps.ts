/** The guide's seven steps, in order. The wizard and `status` both read this list. */
export const STEPS = [
  { id: 'export', title: 'Export from Chroma Cloud' },
  { id: 'deploy', title: 'Deploy a self-hosted Chroma' },
  { id: 'connect', title: 'Test the connection' },
  { id: 'env', title: 'Update .env' },
  { id: 'import', title: 'Import the backup' },
  { id: 'verify', title: 'Verify' },
  { id: 'ingest', title: 'Complete ingestion' },
] as const;

export type StepId = (typeof STEPS)[number]['id'];
export const STEP_IDS = STEPS.map((step) => step.id) as [StepId, ...StepId[]];
export type StepStatus = 'pending' | 'active' | 'done' | 'skipped' | 'failed';
