import { basename } from 'node:path';
import { useState } from 'react';
import { Box, Text } from 'ink';
import { ConfirmInput } from '@inkjs/ui';
import { parseChromaUrl } from '../../../core/chroma/url.js';
import { nothingToWrite, octalMode, sendsTokenInClear, type EnvPlan } from '../../../core/env-file/apply.js';
import { formatEnvChanges } from '../../../core/env-file/diff.js';
import { withEnvOrigin } from '../../../core/state/env-origin.js';
import { placeInState } from '../../../core/state/target-place.js';
import { BOM_NOTE } from '../../../present/env-notes.js';
import { FailureChoices } from '../../components/FailureChoices.js';
import { Para } from '../../components/Para.js';
import { Select } from '../../components/Select.js';
import type { Session, StepProps } from '../../session.js';
import { currentTarget, sameServer } from '../../target.js';
import type { Endpoint } from '../../../core/chroma/endpoint.js';
import { useStepTask } from '../../use-step-task.js';
import { isDeployToken } from '../../../core/state/deploy-token.js';
import type { WizardServices } from '../../services.js';

type Phase = { name: 'planning' } | { name: 'cleartext'; plan: EnvPlan; dropsToken: boolean } | { name: 'confirm'; plan: EnvPlan; dropsToken: boolean } | { name: 'writing'; plan: EnvPlan } | { name: 'failed'; error: unknown };

export function EnvStep({ services, session, dispatch, setBusy }: StepProps) {
  const [phase, setPhase] = useState<Phase>({ name: 'planning' });
  const target = currentTarget(session, services);

  useStepTask(
    phase.name === 'planning' || phase.name === 'writing' ? phase : null,
    async (task, { live }) => {
      if (task.name === 'planning') {
        const dropsToken = await dropsStepTwoToken(services, session, target);
        const token = dropsToken ? undefined : target.token;
        const parsed = parseChromaUrl(target.url);
        // Where the import put the data on this server: the app must connect there.
        const place = placeInState(await services.readState(), target.url);
        const plan = await services.planSelfHostedEnv(services.envFile, parsed, {
          token,
          tokenHeader: target.tokenHeader === 'x-chroma-token' ? 'x-chroma-token' : undefined,
          comment: dropsToken ? ['CHROMA_AUTH_TOKEN'] : [],
          place,
        });
        if (!live()) return;
        if (nothingToWrite(plan)) dispatch({ type: 'step-done', step: 'env', detail: 'already up to date' });
        // The rule env set applies (it refuses without --insecure): here the user chooses, knowingly.
        else setPhase(sendsTokenInClear(plan, parsed) ? { name: 'cleartext', plan, dropsToken } : { name: 'confirm', plan, dropsToken });
        return;
      }
      const { backup, tightened } = await services.applyEnvPlan(task.plan);
      // What the file was before the migration, for rollback to give its values back.
      await services.updateState((saved) => ({ ...saved, ...withEnvOrigin(saved, task.plan.path, backup) }));
      if (!live()) return;
      const saved = backup ? `backup ${basename(backup)}` : 'new file';
      // Said in the checklist: the screen moves on at once.
      dispatch({ type: 'step-done', step: 'env', detail: tightened ? `${saved}; holds the token, so now ${octalMode(tightened.to)}` : saved });
    },
    { setBusy, onError: (error) => setPhase({ name: 'failed', error }) },
  );

  switch (phase.name) {
    case 'planning':
      return <Text>Reading {services.envFile}…</Text>;
    case 'cleartext':
      return <ClearTextToken url={target.url} onBack={() => dispatch({ type: 'goto', step: 'connect' })} onAnyway={() => setPhase({ name: 'confirm', plan: phase.plan, dropsToken: phase.dropsToken })} />;
    case 'confirm':
      return (
        <Box flexDirection="column">
          <Para bold>
            Step 4 · {phase.plan.file.exists ? 'Changes to' : 'New file'} {phase.plan.path}:
          </Para>
          {formatEnvChanges(phase.plan.changes, { commented: phase.dropsToken }).map((line) => (
            <Para key={line} indent={2} color={line.startsWith('+') ? 'green' : 'red'}>
              {line}
            </Para>
          ))}
          {phase.plan.file.bom ? <Para indent={2}>{BOM_NOTE}</Para> : null}
          {phase.dropsToken ? <Para>CHROMA_AUTH_TOKEN is the token step 2 made for a hosted server; this server takes none, so it is kept as a comment.</Para> : null}
          <Para dim>The Cloud keys (CHROMA_API_KEY…) stay as the fallback for a rollback.</Para>
          <Text>
            {phase.plan.file.exists ? 'Write it (the old file is kept as a backup)? ' : 'Create it? '}
            <ConfirmInput onConfirm={() => setPhase({ name: 'writing', plan: phase.plan })} onCancel={() => dispatch({ type: 'step-skipped', step: 'env', detail: 'not written' })} />
          </Text>
        </Box>
      );
    case 'writing':
      return <Text>Writing {phase.plan.path}…</Text>;
    case 'failed':
      return (
        <FailureChoices
          error={phase.error}
          options={[
              { label: 'Try again', value: 'retry' },
              { label: 'Skip: I will edit .env myself', value: 'skip' },
            ]}
          onChange={(value) => (value === 'retry' ? setPhase({ name: 'planning' }) : dispatch({ type: 'step-skipped', step: 'env', detail: 'edit by hand' }))}
        />
      );
    default: {
      const exhaustive: never = phase;
      return exhaustive;
    }
  }
}

/**
 * A token for a plain http:// server on another machine: said plainly, with the way to https first.
 * Nothing is focused, so Enter alone cannot choose to send the token in clear text.
 */
function ClearTextToken({ url, onBack, onAnyway }: { url: string; onBack: () => void; onAnyway: () => void }) {
  return (
    <Box flexDirection="column">
      <Para bold>Step 4 · {url} is plain http, and .env would hold a CHROMA_AUTH_TOKEN.</Para>
      <Para>
        Your app would send the token in clear text on every request: anyone between it and the server could read it and use your database. Use the server's https:// address
        (Railway domains are https on 443).
      </Para>
      <Select
        preselect={false}
        options={[
          { label: "Back to step 3: give the server's https:// address", value: 'back' },
          { label: 'Write it anyway: this network is private, and I accept that the token travels in clear text', value: 'anyway' },
        ]}
        onChange={(value) => (value === 'back' ? onBack() : onAnyway())}
      />
    </Box>
  );
}

/**
 * .env's CHROMA_AUTH_TOKEN is one step 2 wrote (known by its digest in the state) and the server
 * chosen since takes none: no token, or this wizard's own local server (a resume reads .env's
 * token into the target). A token put there otherwise is never touched.
 */
async function dropsStepTwoToken(services: WizardServices, session: Session, target: Endpoint): Promise<boolean> {
  const written = (await services.readEnvFile()).CHROMA_AUTH_TOKEN;
  if (!written) return false;
  const state = await services.readState();
  if (!isDeployToken(state, services.envFile, written)) return false;
  if (!target.token) return true;
  const local = session.localServer ?? (state.localServer ? { url: `http://localhost:${state.localServer.port}` } : undefined);
  return target.token === written && local !== undefined && sameServer(local.url, target.url);
}
