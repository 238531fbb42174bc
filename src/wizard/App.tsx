import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useApp } from 'ink';
import { transition, type WizardEvent, type WizardState } from './machine.js';
import { Para } from './components/Para.js';
import type { FrameSignal } from './layout/frames.js';
import { Revisit } from './components/Revisit.js';
import { Frame } from './app/Frame.js';
import { usePersistence } from './app/use-persistence.js';
import { useKeys } from './app/use-keys.js';
import { describeEvent } from './run-log.js';
import { ConnectStep } from './steps/connect/ConnectStep.js';
import { TokenAgain } from './steps/connect/TokenAgain.js';
import type { StepId } from '../core/state/steps.js';
import { DeployStep } from './steps/deploy/DeployStep.js';
import { DoneScreen } from './steps/done/DoneScreen.js';
import { EnvStep } from './steps/env/EnvStep.js';
import { ExportStep } from './steps/export/ExportStep.js';
import { ImportStep } from './steps/import/ImportStep.js';
import { IngestStep } from './steps/ingest/IngestStep.js';
import { VerifyStep } from './steps/verify/VerifyStep.js';
import { tokenExitNote } from './steps/deploy/token.js';
import { Welcome } from './steps/welcome/Welcome.js';
import type { RunningServer } from '../core/local-server/chroma-server.js';
import type { WizardServices } from './services.js';
import type { Session, StepProps } from './session.js';

export interface AppProps {
  services: WizardServices;
  initial: WizardState;
  initialSession: Session;
  /** Aborted on Ctrl-C: running work stops at a safe point. */
  controller: AbortController;
  /** `notes`: what the user must know on the way out that no saved state can say (where a token is). */
  onExit: (code: number, notes: string[]) => void;
  /** Archive the old state before starting over. */
  onStartOver: () => Promise<void>;
  /** The local server of a resumed migration, on its way up (null if it could not start). */
  localServer?: Promise<RunningServer | null>;
  /** Fired after each frame Ink draws (render's onRender): the layout re-measures then. */
  frames?: FrameSignal;
}

/** The steps that talk to the target server, with its token. */
const USES_TARGET: ReadonlySet<StepId> = new Set(['env', 'import', 'verify', 'ingest']);

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
  const busy = useRef(false);
  const escape = useRef<(() => void) | null>(null);
  const leave = (code: number) => {
    onExit(code, tokenExitNote(session.tokenNotKept, state.steps.env === 'done'));
    exit();
  };
  const dispatch = (event: WizardEvent) => {
    const line = describeEvent(event);
    if (line) services.log(line);
    setState((current) => transition(current, event));
  };
  usePersistence(state, session, services);
  // A resumed migration's local server, started again in the background (see run.tsx).
  useEffect(() => {
    let current = true;
    void localServer?.then((server) => current && server && setSession((now) => ({ ...now, localServer: now.localServer ?? server })));
    return () => {
      current = false;
    };
  }, [localServer]);
  const back = () => {
    if (escape.current) escape.current();
    else if (state.screen !== 'welcome') dispatch({ type: 'back' });
  };
  const stopping = useKeys({ controller, busy, leave, back });

  const props: StepProps = {
    services,
    session,
    update: (patch) => setSession((current) => ({ ...current, ...patch })),
    dispatch,
    signal: controller.signal,
    again: state.again !== undefined && state.again === state.screen,
    setBusy: (value) => {
      busy.current = value;
    },
    setEscape: (handler) => {
      escape.current = handler;
    },
  };
  const startOver = () =>
    void onStartOver().then(() => {
      setSession({});
      dispatch({ type: 'start-over' });
    });
  return <Frame state={state} frames={frames}>{stopping ? <Para color="yellow">Stopping at a safe point…</Para> : screenFor(state, props, { leave, startOver })}</Frame>;
}

/** The screen for where the wizard stands. */
function screenFor(state: WizardState, props: StepProps, { leave, startOver }: { leave: (code: number) => void; startOver: () => void }): ReactNode {
  const { dispatch } = props;
  if (state.screen === 'welcome') {
    return <Welcome state={state} onBegin={() => dispatch({ type: 'begin' })} onResume={() => dispatch({ type: 'resume' })} onStartOver={startOver} onQuit={() => leave(0)} />;
  }
  if (state.screen === 'done') return <DoneScreen state={state} session={props.session} services={props.services} onExit={() => leave(0)} />;
  const Step = STEP_SCREENS[state.screen];
  const status = state.steps[state.screen];
  const step = state.screen;
  // A finished step reached with Esc is shown, not run again; key: a step's screen starts fresh each time it is entered.
  if (status === 'done' || status === 'skipped') {
    return <Revisit key={`${step}-revisit`} step={step} state={state} onKeep={() => dispatch({ type: 'resume' })} onRedo={() => dispatch({ type: 'redo', step })} />;
  }
  // A resumed step that talks to the server, without the token step 3 tested: asked for first.
  if (props.session.tokenLost && USES_TARGET.has(step)) return <TokenAgain key={`${step}-token`} step={step} {...props} />;
  return <Step key={step} {...props} />;
}
