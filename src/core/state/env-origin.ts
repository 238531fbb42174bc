import { resolve } from 'node:path';
import type { EnvOrigin, MigrationState } from './schema.js';

/** What the state knows of the .env at `dotenv` before the migration first changed it. */
export function envOriginOf(state: MigrationState, dotenv: string): EnvOrigin | undefined {
  return state.envOrigins.find((origin) => origin.dotenv === resolve(dotenv));
}

/**
 * The state with the .env's origin noted, after a write that kept `backup` (null: the write
 * created the file). Only the first write counts: later backups already hold the server's values.
 */
export function withEnvOrigin(state: MigrationState, dotenv: string, backup: string | null, now = new Date()): Pick<MigrationState, 'envOrigins'> {
  if (envOriginOf(state, dotenv)) return { envOrigins: state.envOrigins };
  return { envOrigins: [...state.envOrigins, { dotenv: resolve(dotenv), backup, at: now.toISOString() }] };
}
