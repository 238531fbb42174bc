import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { OPEN_SERVER_WARNING, type Exposure } from '../../core/probe.js';
import { currentTarget } from '../target.js';
import { Para } from '../components/Para.js';
import { Select } from '@inkjs/ui';
import type { WizardState } from '../../core/state/machine.js';
import type { StepProps } from '../session.js';

export function DoneScreen({ state, session, services, onExit }: Pick<StepProps, 'session' | 'services'> & { state: WizardState; onExit: () => void }) {
  const verified = state.steps.verify === 'done';
  const [risk, setRisk] = useState<Exposure>('unknown');
  useEffect(() => {
    let cancelled = false;
    const target = currentTarget(session, services);
    void services.exposure(target).then((found) => !cancelled && setRisk(found));
    return () => {
      cancelled = true;
    };
  }, [session, services]);
  return (
    <Box flexDirection="column">
      {verified ? (
        <Text color="green" bold>
          Done: your data lives on your own Chroma server, and every record was checked.
        </Text>
      ) : (
        <Text color="yellow" bold>
          Done, but verification did not pass: run chroma-migrate verify before you rely on it.
        </Text>
      )}
      {risk === 'open' ? (
        <Para mark="! " color="red" bold>
          {OPEN_SERVER_WARNING}
        </Para>
      ) : null}
      <Text>Next:</Text>
      <Para mark="· ">Back up weekly: chroma-migrate backup --dir ./backups --keep 4 --print-cron</Para>
      <Para mark="· ">Keep the Cloud data a week or two until you trust the new server.</Para>
      <Para mark="· ">To switch the app back to Cloud: chroma-migrate rollback</Para>
      {session.localServer ? (
        <Para mark="· " color="yellow">
          The local server stops with the wizard: restart it with chroma-migrate serve
        </Para>
      ) : null}
      <Select options={[{ label: 'Exit', value: 'exit' }]} onChange={onExit} />
    </Box>
  );
}
