import { basename } from 'node:path';
import type { DeployHost } from '../../../core/deploy/guide.js';
import { waitingToken, type KeptToken } from '../../../core/deploy/keep-token.js';
import { withEnvOrigin } from '../../../core/state/env-origin.js';
import { isDeployToken, withDeployToken } from '../../../core/state/deploy-token.js';
import type { MigrationState } from '../../../core/state/schema.js';
import type { WizardServices } from '../../services.js';

/**
 * The token for the proxy, and where it is kept. The one made earlier is shown again (this run's,
 * or the one a stopped run kept in .env, known by the digest the state notes): a new one would no
 * longer match the proxy the user may have set up with it. A CHROMA_AUTH_TOKEN that was in .env
 * for another reason is not taken for it. Never logged, never in the state file.
 */
export async function tokenForGuide(services: WizardServices, known: string | undefined): Promise<{ token: string; kept: KeptToken }> {
  const token = known ?? (await keptEarlier(services)) ?? services.newToken();
  let kept: KeptToken;
  try {
    kept = await services.keepDeployToken(services.envFile, token);
  } catch (error) {
    kept = { kept: false, why: (error instanceof Error ? error.message : String(error)).replace(/\.$/, '') };
  }
  if (kept.kept) {
    // What the file was before the migration first changed it, for rollback; the token known by its digest.
    const origin = kept.written ? (saved: MigrationState) => withEnvOrigin(saved, services.envFile, kept.backup) : () => ({});
    await services.updateState((saved) => ({ ...saved, ...origin(saved), ...withDeployToken(saved, services.envFile, token) }));
  }
  if (kept.kept && kept.written) {
    services.log(`deploy: the proxy's token is saved in ${services.envFile} as CHROMA_AUTH_TOKEN (${kept.backup ? `backup ${basename(kept.backup)}` : 'new file'}); the app uses it once step 4 sets CHROMA_HOST`);
  } else if (!kept.kept) {
    services.log(`deploy: the proxy's token is not saved in ${services.envFile}: ${kept.why}`);
  }
  return { token, kept };
}

/** The token a stopped run of step 2 kept in .env, still waiting there for step 4. */
async function keptEarlier(services: WizardServices): Promise<string | undefined> {
  const waiting = waitingToken(await services.readEnvFile());
  return waiting && isDeployToken(await services.readState(), services.envFile, waiting) ? waiting : undefined;
}

/** Where the token lives when chroma-migrate kept no copy of it. */
export function tokenHome(host: DeployHost): string {
  return host === 'railway' ? "in Railway, in your proxy service's Variables (CHROMA_AUTH_TOKEN)" : 'on your server, in the .env next to compose.yaml (CHROMA_AUTH_TOKEN)';
}

/** Said on the way out while the token is nowhere on this machine: where to find it again. */
export function tokenExitNote(unsaved: DeployHost | undefined, envDone: boolean): string[] {
  if (!unsaved || envDone) return [];
  return [`! The token made in step 2 is not in your .env, and chroma-migrate keeps no copy: find it ${tokenHome(unsaved)}. Step 3 asks for it.`];
}
