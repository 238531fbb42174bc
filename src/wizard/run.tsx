import { render } from 'ink';
import { archiveState, loadState } from '../core/state/store.js';
import { wizardStateFrom } from '../core/state/machine.js';
import { startChromaServer, type RunningServer } from '../core/server/chroma-server.js';
import { App } from './App.js';
import { realServices, type WizardServices } from './services.js';

/** Mounts the wizard on the terminal; resolves with the exit code once it unmounts. */
export async function runWizard(base: Pick<WizardServices, 'cwd' | 'env' | 'envFile' | 'statePath'>): Promise<number> {
  const servers: RunningServer[] = [];
  const services: WizardServices = {
    ...realServices(base),
    // A local server started for the user lives as long as the wizard: stop it on the way out.
    startChromaServer: async (options) => {
      const server = await startChromaServer(options);
      servers.push(server);
      return server;
    },
  };
  const saved = await loadState(services.statePath);
  const controller = new AbortController();
  let code = 0;
  const instance = render(
    <App
      services={services}
      initial={wizardStateFrom(saved)}
      initialSession={{ backupPath: saved.backupPath, ingestCommand: saved.ingestCommand }}
      controller={controller}
      onExit={(exitCode) => {
        code = exitCode;
      }}
      onStartOver={async () => {
        await archiveState(services.statePath);
      }}
    />,
    { exitOnCtrlC: false },
  );
  await instance.waitUntilExit();
  await Promise.all(servers.map((server) => server.stop()));
  return code;
}
