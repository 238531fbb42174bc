import type { ParsedUrl } from '../chroma/url.js';
import type { TokenHeader } from '../chroma/endpoint.js';
import { saveBackup } from './backups.js';
import { selfHostedEnv } from './chroma-keys.js';
import type { EnvChange } from './diff.js';
import { assertUnchanged, assertWritable, readEnvFile, writeEnvFile, type EnvFile } from './file.js';
import { planEnvPatch } from './patch.js';

export interface EnvPlan {
  path: string;
  file: EnvFile;
  text: string;
  changes: EnvChange[];
}

/** Step 4's change, computed without writing: what the user is shown before saying yes. */
export async function planSelfHostedEnv(path: string, target: Pick<ParsedUrl, 'host' | 'port' | 'ssl'>, token?: string, tokenHeader?: TokenHeader): Promise<EnvPlan> {
  const file = await readEnvFile(path);
  const plan = planEnvPatch(file.text, { set: selfHostedEnv(target, token, tokenHeader) });
  return { path, file, text: plan.text, changes: plan.changes };
}

/** Writes a plan: refuses if the file changed since it was read, keeps a 0600 backup, writes atomically. */
export async function applyEnvPlan(plan: EnvPlan): Promise<{ backup: string | null }> {
  await assertWritable(plan.path);
  await assertUnchanged(plan.file);
  const backup = plan.file.exists ? await saveBackup(plan.path, plan.file.bytes) : null;
  await writeEnvFile(plan.path, plan.text, plan.file.mode);
  return { backup };
}
