import { parse } from 'dotenv';
import { applyEnvPlan, withEnvLock } from '../env-file/apply.js';
import { readEnvFile } from '../env-file/file.js';
import { planEnvPatch } from '../env-file/patch.js';

/**
 * A token made for a new server, kept in the app's .env as CHROMA_AUTH_TOKEN as soon as it is
 * made: the state file and the logs never hold a secret, so without this a Ctrl-C before the
 * .env step left the user with no copy of it but the one on the proxy. The app does not use it
 * yet: it reads CHROMA_AUTH_TOKEN only when CHROMA_HOST is set, which the .env step writes.
 */
export type KeptToken =
  /** `backup`: the file as it was, when this write changed it (null: created, or nothing to change). */
  | { kept: true; written: boolean; backup: string | null }
  /** Not written, and why, in words that follow "Not saved in .env: ". */
  | { kept: false; why: string };

/** A CHROMA_AUTH_TOKEN with no CHROMA_HOST beside it: a token waiting for its server, which the app does not send anywhere yet. */
export function waitingToken(values: Record<string, string | undefined>): string | undefined {
  return values.CHROMA_HOST ? undefined : values.CHROMA_AUTH_TOKEN || undefined;
}

export async function keepTokenInEnv(path: string, token: string): Promise<KeptToken> {
  return withEnvLock(path, 'keeping the new token in .env', () => keepToken(path, token));
}

async function keepToken(path: string, token: string): Promise<KeptToken> {
  const file = await readEnvFile(path);
  const values = parse(file.text);
  if (values.CHROMA_AUTH_TOKEN === token) return { kept: true, written: false, backup: null };
  // The app already talks to a self-hosted server: a new token would go to that one, today.
  if (values.CHROMA_HOST) return { kept: false, why: 'it already points your app at a self-hosted server (CHROMA_HOST), which would be sent this token from now on' };
  if (values.CHROMA_AUTH_TOKEN) return { kept: false, why: 'it already holds another CHROMA_AUTH_TOKEN, left as it is' };
  const plan = planEnvPatch(file.text, { set: { CHROMA_AUTH_TOKEN: token } });
  const { backup } = await applyEnvPlan({ path, file, text: plan.text, changes: plan.changes, writesToken: true });
  return { kept: true, written: true, backup };
}
