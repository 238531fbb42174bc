import { Box, Text } from 'ink';
import { Select } from '@inkjs/ui';
import type { StepProps } from '../session.js';

export function DoneScreen({ session, onExit }: Pick<StepProps, 'session'> & { onExit: () => void }) {
  return (
    <Box flexDirection="column">
      <Text color="green" bold>
        Done: your data lives on your own Chroma server, and every record was checked.
      </Text>
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
