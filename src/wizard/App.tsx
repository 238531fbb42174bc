import { useEffect, useRef, useState } from 'react';
import { Box, Static, Text, useApp, useInput, type DOMElement } from 'ink';
import { persistableSteps, transition, type WizardEvent, type WizardState } from './machine.js';
import { StateStore } from '../core/state/store.js';
import { Checklist, checklistHeight, type ChecklistStyle } from './components/Checklist.js';
import { Para } from './components/Para.js';
import { DESIGNED_MIN_COLUMNS, SpaceProvider } from './layout/space.js';
import { useTerminalSize } from './layout/terminal-size.js';
import { useMeasuredHeight } from './layout/measured-height.js';
import { FrameSignal } from './layout/frames.js';
import { Revisit } from './components/Revisit.js';
import { ConnectStep } from './screens/ConnectStep.js';
import { DeployStep } from './screens/DeployStep.js';
import { DoneScreen } from './screens/DoneScreen.js';
import { EnvStep } from './screens/EnvStep.js';
import { ExportStep } from './screens/ExportStep.js';
import { ImportStep } from './screens/ImportStep.js';
import { IngestStep } from './screens/IngestStep.js';
import { VerifyStep } from './screens/VerifyStep.js';
import { Welcome } from './screens/Welcome.js';
import type { RunningServer } from '../core/local-server/chroma-server.js';
import type { WizardServices } from './services.js';
import type { Session, StepProps } from './session.js';

export interface AppProps {
  services: WizardServices;
  initial: WizardState;
  initialSession: Session;
  /** Aborted on Ctrl-C: running work stops at a safe point. */
  controller: AbortController;
  onExit: (code: number) => void;
  /** Archive the old state before starting over. */
  onStartOver: () => Promise<void>;
  /** The local server of a resumed migration, on its way up (null if it could not start). */
  localServer?: Promise<RunningServer | null>;
  /** Fired after each frame Ink draws (render's onRender): the layout re-measures then. */
  frames?: FrameSignal;
}

const STEP_SCREENS = {
  export: ExportStep,
  deploy: DeployStep,
  connect: ConnectStep,
  env: EnvStep,
  import: ImportStep,
  verify: VerifyStep,
  ingest: IngestStep,
} as const;

export function App({ services, initial, initialSession, controller, onExit, onStartOver, localServer, frames }: AppProps) {
  const { exit } = useApp();
  const [state, setState] = useState(initial);
  const [session, setSession] = useState<Session>(initialSession);
  const [stopping, setStopping] = useState(false);
  const busy = useRef(false);

  const leave = (code: number) => {
    onExit(code);
    exit();
  };
  const dispatch = (event: WizardEvent) => setState((current) => transition(current, event));

  // Persist after every change of step (not every progress tick): resume needs no more.
  const statuses = JSON.stringify(state.steps);
  useEffect(() => {
    if (state.screen === 'welcome') return;
    void StateStore.open(services.statePath).then((store) =>
      store.update((saved) => ({
        ...saved,
        steps: persistableSteps(state, saved.steps, new Date(services.now())),
        backupPath: session.backupPath ?? saved.backupPath,
        targetUrl: session.target?.url ?? saved.targetUrl,
        localServer: session.localServer ? { path: session.localServer.path, port: session.localServer.port } : saved.localServer,
      })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [statuses, state.screen, session.backupPath, session.target?.url, session.localServer]);

  // A resumed migration's local server, started again in the background (see run.tsx).
  useEffect(() => {
    let current = true;
    void localServer?.then((server) => current && server && setSession((now) => ({ ...now, localServer: now.localServer ?? server })));
    return () => {
      current = false;
    };
  }, [localServer]);

  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      if (stopping) return; // already on the way out
      setStopping(true);
      controller.abort(new Error('interrupted'));
      // Let running work reach its checkpoint (the engine stops within a batch), then leave.
      // A real timer caps the wait: the injected clock may stand still in tests.
      const deadline = Date.now() + 5_000;
      const wait = setInterval(() => {
        if (!busy.current || Date.now() > deadline) {
          clearInterval(wait);
          leave(130);
        }
      }, 50);
      return;
    }
    if (key.escape && !busy.current && state.screen !== 'welcome') dispatch({ type: 'back' });
  });

  const props: StepProps = {
    services,
    session,
    update: (patch) => setSession((current) => ({ ...current, ...patch })),
    dispatch,
    signal: controller.signal,
    setBusy: (value) => {
      busy.current = value;
    },
  };

  let screen: React.ReactNode;
  if (state.screen === 'welcome') {
    screen = (
      <Welcome
        state={state}
        onBegin={() => dispatch({ type: 'begin' })}
        onResume={() => dispatch({ type: 'resume' })}
        onStartOver={() => {
          void onStartOver().then(() => {
            setSession({});
            dispatch({ type: 'start-over' });
          });
        }}
        onQuit={() => leave(0)}
      />
    );
  } else if (state.screen === 'done') {
    screen = <DoneScreen state={state} session={session} services={services} onExit={() => leave(0)} />;
  } else {
    const Step = STEP_SCREENS[state.screen];
    const status = state.steps[state.screen];
    const step = state.screen;
    // A finished step reached with Esc is shown, not run again; key: a step's screen starts fresh each time it is entered.
    screen =
      status === 'done' || status === 'skipped' ? (
        <Revisit key={`${step}-revisit`} step={step} state={state} onKeep={() => dispatch({ type: 'resume' })} onRedo={() => dispatch({ type: 'goto', step })} />
      ) : (
        <Step key={step} {...props} />
      );
  }

  // The live frame (checklist + screen) stays shorter than the terminal: at its height Ink
  // clears the screen and the user's scrollback. The header never changes, so it is printed
  // once, above, into the scrollback (<Static>), and is not redrawn.
  const size = useTerminalSize();
  const narrow = size.columns < DESIGNED_MIN_COLUMNS;
  const full: ChecklistStyle = size.rows < 20 ? 'line' : narrow ? 'plain' : 'box';
  // One line of slack: Ink's own trailing newline, and a word-wrap that takes a line more than counted.
  const rows = Math.max(4, size.rows - checklistHeight(state, full, size.columns) - 2);
  // A screen without a window (the deploy guide, a .env diff at 60 columns) can still be taller
  // than that. Its height is known only after a render, and one frame too tall is enough for
  // Ink to clear the scrollback: so the screen is drawn in a box clipped to the room it has
  // (never taller), measured, and when it does not fit the checklist shrinks to one line.
  // Windows size themselves by the full checklist's room, so the choice cannot flip-flop.
  const screenBox = useRef<DOMElement>(null);
  const screenHeight = useMeasuredHeight(screenBox, frames);
  const style: ChecklistStyle = full !== 'line' && screenHeight !== null && screenHeight > rows ? 'line' : full;
  const room = style === full ? rows : Math.max(4, size.rows - checklistHeight(state, style, size.columns) - 2);
  return (
    <Box flexDirection="column">
      <Static items={['header']}>
        {(item) => (
          <Box key={item}>
            <Para>
              <Text bold color="cyan">chroma-migrate</Text>
              <Text color="gray">{size.columns >= 80 ? ' · Cloud → your own server' : ''} · Esc back · Ctrl-C save and quit</Text>
            </Para>
          </Box>
        )}
      </Static>
      <Checklist state={state} style={style} />
      <SpaceProvider space={{ columns: size.columns, rows, narrow }}>
        <Box flexDirection="column" height={Math.min(room, screenHeight ?? room)} overflowY="hidden">
          <Box ref={screenBox} flexDirection="column" flexShrink={0}>
            {stopping ? <Para color="yellow">Stopping at a safe point…</Para> : screen}
          </Box>
        </Box>
      </SpaceProvider>
    </Box>
  );
}
