import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { appNeedsOnServer, describeAppNeeds, groupAppNeeds, type AppNeeds } from '../../core/collection/app-needs.js';
import { OPEN_SERVER_WARNING, type Exposure } from '../../core/probe.js';
import { currentTarget } from '../target.js';
import { Select } from '@inkjs/ui';
import type { WizardState } from '../../core/state/machine.js';
import type { StepProps } from '../session.js';

export function DoneScreen({ state, session, services, onExit }: Pick<StepProps, 'session' | 'services'> & { state: WizardState; onExit: () => void }) {
  const verified = state.steps.verify === 'done';
  const [risk, setRisk] = useState<Exposure>('unknown');
  const [needs, setNeeds] = useState<Array<{ collection: string; needs: AppNeeds }>>([]);
  useEffect(() => {
    let cancelled = false;
    const target = currentTarget(session, services);
    void services.exposure(target).then((found) => !cancelled && setRisk(found));
    // What the app needs for the embedding functions the moved collections carry.
    appNeedsOnServer(services.api(target)).then(
      (found) => !cancelled && setNeeds(found),
      () => undefined,
    );
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
      {risk === 'open' ? <Text color="red" bold>! {OPEN_SERVER_WARNING}</Text> : null}
      {groupAppNeeds(needs).flatMap((entry) =>
        describeAppNeeds(entry.label, entry.needs).map((line, index) => (
          <Text key={`${entry.label}-${index}`} color={entry.needs.cloudHosted && line.startsWith('hosted by Chroma') ? 'yellow' : undefined}>
            {index === 0 ? '· ' : '  '}
            {line}
          </Text>
        )),
      )}
      <Text>Next:</Text>
      <Text>· Back up weekly: chroma-migrate backup --dir ./backups --keep 4 --print-cron</Text>
      <Text>· Keep the Cloud data a week or two until you trust the new server.</Text>
      <Text>· To switch the app back to Cloud: chroma-migrate rollback</Text>
      {session.localServer ? (
        <Text color="yellow">· The local server stops with the wizard: restart it with chroma-migrate serve</Text>
      ) : null}
      <Select options={[{ label: 'Exit', value: 'exit' }]} onChange={onExit} />
    </Box>
  );
}
