import { Box, Text } from 'ink';
import { isMigrateError } from '../../core/errors.js';

/** An error in words with its fix; never a stack trace. */
export function ErrorBox({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  const fix = isMigrateError(error) ? error.fix : undefined;
  return (
    <Box flexDirection="column">
      <Text color="red">✗ {message}</Text>
      {fix ? <Text color="yellow">  → {fix}</Text> : null}
    </Box>
  );
}
