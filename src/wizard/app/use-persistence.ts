import { persistableSteps, type WizardState } from '../machine.js';
import type { Session } from '../session.js';
import type { WizardServices } from '../services.js';
import { useStepTask } from '../use-step-task.js';

/**
 * Saves the migration state after every change of step, screen or what the session knows (not
 * every progress tick): resume needs no more. Never secrets: the target's URL, not its token.
 */
export function usePersistence(state: WizardState, session: Session, services: WizardServices): void {
  const server = session.localServer ? { path: session.localServer.path, port: session.localServer.port } : undefined;
  const key = state.screen === 'welcome' ? null : JSON.stringify([state.steps, state.screen, session.backupPath, session.target?.url, session.targetToken, server]);
  useStepTask(key, () =>
    services.updateState((saved) => ({
      ...saved,
      steps: persistableSteps(state, saved.steps, new Date(services.now())),
      backupPath: session.backupPath ?? saved.backupPath,
      targetUrl: session.target?.url ?? saved.targetUrl,
      targetToken: session.targetToken ?? saved.targetToken,
      localServer: server ?? saved.localServer,
    })),
  );
}
